import assert from "node:assert/strict";
import { test } from "node:test";
import {
  InvalidReferenceError,
  isAllowedNamespace,
  resolveRef,
} from "../../../src/controllers/references.ts";

test("references resolve as VSO resolves them", () => {
  assert.deepEqual(resolveRef(undefined, "app", "vso"), { namespace: "vso", name: "default" });
  assert.deepEqual(resolveRef("", "app", "vso"), { namespace: "vso", name: "default" });
  assert.deepEqual(resolveRef("mine", "app", "vso"), { namespace: "app", name: "mine" });
  assert.deepEqual(resolveRef("team/shared", "app", "vso"), { namespace: "team", name: "shared" });
  assert.throws(() => resolveRef("a/b/c", "app", "vso"), InvalidReferenceError);
  assert.throws(() => resolveRef("/b", "app", "vso"), InvalidReferenceError);
});

test("cross-namespace use needs the target's consent, except the operator's default", () => {
  const shared = { namespace: "team", name: "shared" };
  assert.equal(isAllowedNamespace(shared, undefined, "team", "vso"), true);
  assert.equal(isAllowedNamespace(shared, undefined, "app", "vso"), false);
  assert.equal(isAllowedNamespace(shared, ["app"], "app", "vso"), true);
  assert.equal(isAllowedNamespace(shared, ["*"], "other", "vso"), true);
  assert.equal(isAllowedNamespace({ namespace: "vso", name: "default" }, [], "app", "vso"), true);
  assert.equal(isAllowedNamespace({ namespace: "vso", name: "other" }, [], "app", "vso"), false);
});
