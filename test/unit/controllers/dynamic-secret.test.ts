import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  credentialsExpireAtMs,
  dynamicHorizonMs,
  type LeaseStatus,
  type MaintenanceSpec,
  nextCheckMs,
  planMaintenance,
  renewalWindowStartMs,
  staticRotationDelayMs,
} from "../../../src/controllers/vault-dynamic-secret/maintenance.ts";
import { hasRolledOut } from "../../../src/controllers/vault-dynamic-secret/rollout-status.ts";
import {
  sameRotation,
  staticCredsStatus,
  withoutRotationFields,
} from "../../../src/controllers/vault-dynamic-secret/static-creds.ts";
import { type SyncFacts, syncReason } from "../../../src/controllers/vault-dynamic-secret/sync-reason.ts";

const spec: MaintenanceSpec = { renewalPercent: 67, refreshAfterMs: undefined, allowStaticCreds: false };
const t0 = 1_700_000_000;

function leased(duration: number, renewable = true, id = "database/creds/app/x"): LeaseStatus {
  return { lastRenewalTime: t0, lease: { id, duration, renewable }, staticCreds: undefined };
}

describe("renewal horizon (VSO's computeDynamicHorizonWithJitter)", () => {
  test("between renewalPercent and renewalPercent + 10 % of the lease", () => {
    assert.equal(
      dynamicHorizonMs(100_000, 67, () => 0),
      77_000,
    );
    assert.ok(Math.abs(dynamicHorizonMs(100_000, 67, () => 0.999999) - 67_000) < 1);
    for (let i = 0; i < 1000; i++) {
      const h = dynamicHorizonMs(3_600_000, 67);
      assert.ok(h > 0.67 * 3_600_000 && h <= 0.77 * 3_600_000, String(h));
    }
  });

  test("renewalPercent is capped at 90 and floored at 0", () => {
    assert.equal(
      dynamicHorizonMs(100_000, 150, () => 0),
      100_000,
    );
    assert.equal(
      dynamicHorizonMs(100_000, -5, () => 0),
      10_000,
    );
    assert.equal(renewalWindowStartMs(100_000, 95), 90_000);
  });
});

describe("planMaintenance", () => {
  test("before the renewal window: wait until the jittered horizon, not earlier than the window", () => {
    const plan = planMaintenance(spec, leased(3600), t0 * 1000 + 1_000, () => 0.5);
    assert.equal(plan.kind, "wait");
    assert.equal(plan.kind === "wait" && plan.afterMs, 0.72 * 3_600_000 - 1_000);
  });

  test("a restart inside the lease's quiet period renews nothing: same answer from status alone", () => {
    // What a freshly started operator sees: status written long ago by another process.
    const plan = planMaintenance(spec, leased(3600), t0 * 1000 + 30 * 60_000, () => 0);
    assert.equal(plan.kind, "wait");
  });

  test("in the window: renew a renewable lease; new credentials for one that is not", () => {
    const inWindow = t0 * 1000 + 0.7 * 3_600_000;
    assert.deepEqual(planMaintenance(spec, leased(3600), inWindow), { kind: "renew" });
    assert.deepEqual(planMaintenance(spec, leased(600, false), t0 * 1000 + 0.7 * 600_000), {
      kind: "reissue",
      reason: "LeaseNotRenewable",
    });
  });

  test("past the lease's end (the operator was down too long): new credentials without a doomed renewal", () => {
    assert.deepEqual(planMaintenance(spec, leased(60), t0 * 1000 + 61_000), {
      kind: "reissue",
      reason: "LeaseExpired",
    });
  });

  test("no lease: refreshAfter drives it (at renewalPercent of it, as VSO), else nothing is ever due", () => {
    const none = leased(0, false, "");
    assert.deepEqual(planMaintenance(spec, none, t0 * 1000 + 10_000_000), { kind: "idle" });
    const withRefresh = { ...spec, refreshAfterMs: 60_000 };
    assert.equal(planMaintenance(withRefresh, none, t0 * 1000 + 10_000).kind, "wait");
    assert.deepEqual(planMaintenance(withRefresh, none, t0 * 1000 + 50_000), {
      kind: "reissue",
      reason: "RefreshDue",
    });
  });

  test("static credentials: read again after the rotation ttl, +0.5 s for a period, 1 s when overdue", () => {
    const staticSpec = { ...spec, allowStaticCreds: true };
    const status: LeaseStatus = {
      lastRenewalTime: t0,
      lease: { id: "", duration: 0, renewable: false },
      staticCreds: { lastVaultRotation: t0 - 10, rotationPeriod: 60, rotationSchedule: "", ttl: 50 },
    };
    assert.equal(staticRotationDelayMs(status.staticCreds ?? ({} as never)), 50_500);
    const wait = planMaintenance(staticSpec, status, t0 * 1000 + 10_000, () => 1);
    assert.deepEqual(wait, { kind: "wait", afterMs: 40_500 + 150 });
    assert.deepEqual(planMaintenance(staticSpec, status, t0 * 1000 + 50_500), {
      kind: "reissue",
      reason: "RotationDue",
    });
    const overdue = { ...status, staticCreds: { ...(status.staticCreds ?? ({} as never)), ttl: 0 } };
    assert.equal(staticRotationDelayMs(overdue.staticCreds), 1_000);
    // Without allowStaticCreds the same response is "no lease": VSO's behaviour.
    assert.deepEqual(planMaintenance(spec, status, t0 * 1000 + 60_000), { kind: "idle" });
  });

  test("expiry for metrics and the delay to the first check", () => {
    assert.equal(credentialsExpireAtMs(spec, leased(3600)), (t0 + 3600) * 1000);
    assert.equal(credentialsExpireAtMs(spec, leased(0, false, "")), undefined);
    assert.equal(nextCheckMs(spec, leased(0, false, ""), t0 * 1000), undefined);
    assert.equal(nextCheckMs(spec, leased(1), t0 * 1000 + 5_000), 1_000, "due already: shortly, not at once");
  });
});

describe("syncReason: VSO's order", () => {
  const steady: SyncFacts = {
    generation: 2,
    lastGeneration: 2,
    forced: false,
    createsDestination: true,
    destinationExists: true,
    cacheKey: "kubernetes-0123456789abcdef012345",
    lastCacheKey: "kubernetes-0123456789abcdef012345",
    clientId: "aa",
    lastClientId: "aa",
  };

  test("nothing to do in a steady state", () => {
    assert.equal(syncReason(steady), undefined);
  });

  test("each reason, and the first one wins", () => {
    assert.equal(syncReason({ ...steady, lastGeneration: 0, forced: true }), "InitialSync");
    assert.equal(syncReason({ ...steady, forced: true, generation: 3 }), "ForceSync");
    assert.equal(syncReason({ ...steady, generation: 3, destinationExists: false }), "ResourceUpdated");
    assert.equal(
      syncReason({ ...steady, destinationExists: false, clientId: "bb" }),
      "InexistentDestination",
    );
    assert.equal(
      syncReason({ ...steady, cacheKey: "kubernetes-ffffffffffffffffffffff", clientId: "bb" }),
      "VaultClientConfigChanged",
    );
    assert.equal(syncReason({ ...steady, clientId: "bb" }), "VaultTokenRotated");
  });

  test("an adopted token after a restart has the same id: no VaultTokenRotated", () => {
    assert.equal(syncReason({ ...steady, clientId: steady.lastClientId }), undefined);
  });

  test("unknown history (empty status fields, as after a migration) is not a change", () => {
    assert.equal(syncReason({ ...steady, lastCacheKey: "", lastClientId: "" }), undefined);
    assert.equal(syncReason({ ...steady, clientId: undefined }), undefined);
    assert.equal(syncReason({ ...steady, createsDestination: false, destinationExists: false }), undefined);
  });
});

describe("static-role credentials", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  test("the rotation fields and _raw stay out of change detection (VSO's exclusion)", () => {
    const data = {
      username: bytes("u"),
      password: bytes("p"),
      ttl: bytes("5"),
      rotation_period: bytes("10"),
      rotation_schedule: bytes(""),
      last_vault_rotation: bytes("2026-01-01T00:00:00Z"),
      _raw: bytes("{}"),
    };
    assert.deepEqual(Object.keys(withoutRotationFields(data)).sort(), ["password", "username"]);
  });

  test("status shape: rotationSchedule only when set; sameRotation compares all four", () => {
    const meta = { lastVaultRotation: 1, rotationPeriod: 5, rotationSchedule: "", ttl: 3 };
    assert.deepEqual(staticCredsStatus(meta), { lastVaultRotation: 1, rotationPeriod: 5, ttl: 3 });
    assert.equal(staticCredsStatus({ ...meta, rotationSchedule: "0 * * * *" }).rotationSchedule, "0 * * * *");
    assert.ok(sameRotation(meta, { ...meta }));
    assert.ok(!sameRotation(meta, { ...meta, ttl: 2 }));
    assert.ok(!sameRotation(undefined, meta));
  });
});

describe("rollout completion (before a superseded lease is revoked)", () => {
  test("a Deployment whose controller has not seen the restart has not rolled out", () => {
    assert.equal(
      hasRolledOut("Deployment", { metadata: { generation: 3 }, status: { observedGeneration: 2 } }),
      false,
    );
  });

  test("a Deployment is done when every replica is updated and available, and no old one is left", () => {
    const base = { metadata: { generation: 3 }, spec: { replicas: 2 } };
    const status = { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 };
    assert.equal(hasRolledOut("Deployment", { ...base, status }), true);
    assert.equal(hasRolledOut("Deployment", { ...base, status: { ...status, replicas: 3 } }), false);
    assert.equal(hasRolledOut("Deployment", { ...base, status: { ...status, availableReplicas: 1 } }), false);
    assert.equal(hasRolledOut("Deployment", { ...base, status: { ...status, updatedReplicas: 1 } }), false);
  });

  test("StatefulSet by revision, DaemonSet by scheduled pods, Argo by the restart it recorded", () => {
    const sts = {
      metadata: { generation: 1 },
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        currentRevision: "a",
        updateRevision: "b",
      },
    };
    assert.equal(hasRolledOut("StatefulSet", sts), false);
    assert.equal(
      hasRolledOut("StatefulSet", { ...sts, status: { ...sts.status, currentRevision: "b" } }),
      true,
    );
    assert.equal(
      hasRolledOut("DaemonSet", {
        metadata: { generation: 1 },
        status: {
          observedGeneration: 1,
          desiredNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 2,
        },
      }),
      false,
    );
    const rollout = { spec: { restartAt: "2026-01-01T00:00:10Z" } };
    assert.equal(hasRolledOut("argo.Rollout", rollout), false);
    assert.equal(
      hasRolledOut("argo.Rollout", { ...rollout, status: { restartedAt: "2026-01-01T00:00:10Z" } }),
      true,
    );
  });
});
