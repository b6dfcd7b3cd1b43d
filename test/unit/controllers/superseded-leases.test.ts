// status.supersededLeases: what a restarted operator may revoke from it, and what it refuses.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  isLeaseOfMount,
  readSuperseded,
  type SupersededLease,
  sealSuperseded,
} from "../../../src/controllers/vault-dynamic-secret/superseded-status.ts";

const key = Buffer.alloc(16, 7);
const uid = "6f1c2c4e-0000-4000-8000-000000000001";
const now = Date.parse("2026-01-01T00:00:00Z");
const lease: SupersededLease = {
  leaseId: "database/creds/app/AbCdEf123",
  targets: [{ kind: "Deployment", name: "web" }],
  expiresAtMs: now + 3_600_000,
};
const resource = { mount: "database", currentLeaseId: "database/creds/app/Current", nowMs: now };

describe("status.supersededLeases", () => {
  test("a sealed entry reads back as the same pending lease", () => {
    const entry = sealSuperseded(key, uid, lease);
    assert.equal(entry.expiresAt, "2026-01-01T01:00:00Z");
    assert.deepEqual(readSuperseded(key, uid, [entry], resource), {
      pending: [lease],
      rejected: [],
      expired: 0,
    });
    // Through the apiserver and back: JSON in, JSON out.
    assert.deepEqual(readSuperseded(key, uid, JSON.parse(JSON.stringify([entry])), resource).pending, [
      lease,
    ]);
  });

  test("without targets the entry carries none", () => {
    const entry = sealSuperseded(key, uid, { ...lease, targets: [] });
    assert.equal(entry.targets, undefined);
    assert.deepEqual(readSuperseded(key, uid, [entry], resource).pending, [{ ...lease, targets: [] }]);
  });

  test("an edited entry is refused: another lease, fewer targets, a later expiry", () => {
    const entry = sealSuperseded(key, uid, lease);
    for (const edited of [
      { ...entry, id: "database/creds/app/SomeoneElse" },
      { ...entry, targets: [] },
      { ...entry, expiresAt: "2027-01-01T00:00:00Z" },
    ]) {
      const read = readSuperseded(key, uid, [edited], resource);
      assert.deepEqual(read.pending, []);
      assert.equal(read.rejected[0]?.because, "unsigned");
    }
  });

  test("an entry copied from another resource, or signed with another key, is refused", () => {
    const entry = sealSuperseded(key, uid, lease);
    assert.equal(readSuperseded(key, "another-uid", [entry], resource).rejected[0]?.because, "unsigned");
    assert.equal(
      readSuperseded(Buffer.alloc(16, 8), uid, [entry], resource).rejected[0]?.because,
      "unsigned",
    );
    assert.equal(readSuperseded(Buffer.alloc(0), uid, [entry], resource).rejected[0]?.because, "unsigned");
  });

  test("a lease of another mount is never revoked, even when signed", () => {
    const entry = sealSuperseded(key, uid, { ...lease, leaseId: "auth/kubernetes/login/xyz" });
    assert.equal(readSuperseded(key, uid, [entry], resource).rejected[0]?.because, "foreign");
  });

  test("the lease in use is never revoked", () => {
    const entry = sealSuperseded(key, uid, { ...lease, leaseId: resource.currentLeaseId });
    assert.equal(readSuperseded(key, uid, [entry], resource).rejected[0]?.because, "current");
  });

  test("an expired entry is dropped; malformed ones are refused; duplicates count once", () => {
    const entry = sealSuperseded(key, uid, lease);
    const expired = sealSuperseded(key, uid, {
      ...lease,
      leaseId: "database/creds/app/Old",
      expiresAtMs: now,
    });
    const read = readSuperseded(key, uid, [entry, entry, expired, null, { id: "x" }, "text"], resource);
    assert.deepEqual(read.pending, [lease]);
    assert.equal(read.expired, 1);
    assert.deepEqual(
      read.rejected.map((r) => r.because),
      ["malformed", "malformed", "malformed"],
    );
  });

  test("lease IDs belong to their mount", () => {
    assert.ok(isLeaseOfMount("database/creds/app/x", "database"));
    assert.ok(isLeaseOfMount("database/creds/app/x", "/database/"));
    assert.ok(isLeaseOfMount("team/db/creds/app/x", "team/db"));
    assert.ok(!isLeaseOfMount("databases/creds/app/x", "database"));
    assert.ok(!isLeaseOfMount("database/", "database"));
    assert.ok(!isLeaseOfMount("database/creds/app/x", ""));
  });
});
