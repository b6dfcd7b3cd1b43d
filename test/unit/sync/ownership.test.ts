import assert from "node:assert/strict";
import { test } from "node:test";
import { type Owner, ownerLabels, ownerReference, ownershipOf } from "../../../src/sync/ownership.ts";

const owner: Owner = {
  apiVersion: "secrets.hashicorp.com/v1beta1",
  kind: "VaultStaticSecret",
  name: "app",
  uid: "u-1",
};

test("a Secret with VSO's marks for this resource is owned", () => {
  assert.equal(
    ownershipOf({ labels: ownerLabels(owner), ownerReferences: [ownerReference(owner)] }, owner),
    "owned",
  );
});

test("a Secret without any owner label is unmarked (takeover needs overwrite)", () => {
  assert.equal(ownershipOf({ labels: { app: "x" } }, owner), "unmarked");
  assert.equal(ownershipOf({}, owner), "unmarked");
});

test("a Secret marked for another resource, or with a different ownerReference, is foreign", () => {
  const other = { ...owner, uid: "u-2" };
  assert.equal(
    ownershipOf({ labels: ownerLabels(other), ownerReferences: [ownerReference(other)] }, owner),
    "foreign",
  );
  assert.equal(ownershipOf({ labels: ownerLabels(owner), ownerReferences: [] }, owner), "foreign");
  assert.equal(
    ownershipOf(
      { labels: ownerLabels(owner), ownerReferences: [ownerReference(owner), ownerReference(other)] },
      owner,
    ),
    "foreign",
  );
});

test("VSO's ownerReference has no controller or blockOwnerDeletion", () => {
  assert.deepEqual(Object.keys(ownerReference(owner)).sort(), ["apiVersion", "kind", "name", "uid"]);
});
