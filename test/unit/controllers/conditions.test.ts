// Condition messages stay within what the CRDs accept (issue 9: a message quoting a huge input made
// the apiserver refuse the whole status patch, so the resource showed no condition at all).
import assert from "node:assert/strict";
import { test } from "node:test";
import { maxConditionMessageLength, setConditions } from "../../../src/controllers/conditions.ts";

test("a message longer than the limit is cut, keeping its start; a short one is untouched", () => {
  const long = `VaultAuth ns/${"x".repeat(600_000)} not found`;
  const [cut, kept] = setConditions(
    undefined,
    [
      { type: "SecretSynced", status: "False", reason: "VaultClientConfigError", message: long },
      { type: "Ready", status: "False", reason: "VaultClientConfigError", message: "short" },
    ],
    1,
  );
  assert.equal(cut?.message.length, maxConditionMessageLength);
  assert.ok(cut?.message.startsWith("VaultAuth ns/xxx"));
  assert.ok(cut?.message.endsWith("… (truncated)"));
  assert.equal(kept?.message, "short");
});
