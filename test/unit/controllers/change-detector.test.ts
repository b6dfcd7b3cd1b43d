import assert from "node:assert/strict";
import { test } from "node:test";
import { fingerprint, kvFingerprint } from "../../../src/controllers/vault-static-secret/change-detector.ts";

test("metadata and a data read agree on the fingerprint of the same version", () => {
  const meta = {
    current_version: 3,
    updated_time: "2026-11-22T00:00:00Z",
    versions: { "3": { created_time: "x", deletion_time: "", destroyed: false } },
  };
  assert.equal(fingerprint(meta as never), kvFingerprint(3, "", false));
});

test("soft delete, undelete and destroy change the fingerprint without a new version", () => {
  const at = (deletion_time: string, destroyed: boolean) =>
    fingerprint({
      current_version: 2,
      versions: { "2": { created_time: "", deletion_time, destroyed } },
    } as never);
  const live = at("", false);
  const deleted = at("2026-11-22T00:00:00Z", false);
  const destroyed = at("", true);
  assert.notEqual(live, deleted);
  assert.notEqual(live, destroyed);
  assert.notEqual(deleted, destroyed);
  assert.equal(at("", false), live, "undelete returns to the synced state");
});
