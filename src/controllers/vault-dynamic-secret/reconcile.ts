// VaultDynamicSecret: leased credentials (database users, Kubernetes tokens, …) or static-role
// credentials, kept in a Secret and kept alive — renewed inside their renewal window, replaced
// when the lease cannot be renewed any more — and never requested again just because the operator
// restarted. The schedule lives in status; the client cache adopts the token the previous process
// persisted, so the status client id still matches after a restart and nothing is re-issued.
import { parseVaultDynamicSecret } from "../../api/index.ts";
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import { isAbortError, ReconcileError } from "../../runtime/errors.ts";
import { DestinationError, type SecretObject } from "../../sync/destination.ts";
import { ownershipOf } from "../../sync/ownership.ts";
import { healthConditions, setConditions } from "../conditions.ts";
import { type OperatorContext, type SecretKind, secretStore, splitKey } from "../context.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { requeueOnErrorMs } from "../timing.ts";
import { referencedTransformationsDigest } from "../transformations.ts";
import type { ResolvedClient } from "../vault-clients.ts";
import { fail, failureReason, LeaseRenewalError } from "./failure.ts";
import { finalize } from "./finalize.ts";
import { issue, issueKeepingLeaseAlive } from "./issue.ts";
import { nextCheckMs, planMaintenance } from "./maintenance.ts";
import { runtimePodUid } from "./pod-uid.ts";
import { renewDynamicLease } from "./renewal.ts";
import { recordDigest, rerenderFromLive } from "./rerender.ts";
import {
  leaseStatus,
  maintenanceSpec,
  noLease,
  ownerOf,
  recordExpiry,
  statusOf,
  type Vds,
  type VdsStatus,
  vdsController,
  vdsKind,
} from "./resource.ts";
import { stateOf } from "./state.ts";
import { rolloutCheckIntervalMs, settleSuperseded } from "./superseded-leases.ts";
import { type SyncReason, syncReason } from "./sync-reason.ts";

export { vdsFinalizer } from "./resource.ts";
export { onTokenReplaced } from "./token-replaced.ts";

function sooner(action: Action, ms: number): Action {
  return action.kind === "requeue" ? requeueAfter(Math.min(action.afterMs, ms)) : requeueAfter(ms);
}

export async function reconcileVaultDynamicSecret(
  ctx: OperatorContext,
  key: string,
  signal: AbortSignal,
): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = secretStore(ctx, vdsController).get(namespace, name);
  if (raw === undefined) {
    ctx.metrics.leaseExpiry.remove({ namespace, name });
    return awaitChange();
  }
  if (raw.metadata?.deletionTimestamp !== undefined) {
    await finalize(ctx, raw, signal);
    return awaitChange();
  }
  const parsed = parseVaultDynamicSecret(raw);
  if (!parsed.ok) {
    await fail(ctx, raw, "InvalidConfiguration", parsed.error.message, "sync");
    ctx.metrics.syncFailures.inc({ kind: vdsKind, reason: "InvalidConfiguration" });
    return awaitChange();
  }
  const vds: Vds = {
    raw,
    namespace,
    name,
    uid: raw.metadata?.uid ?? "",
    generation: raw.metadata?.generation ?? 0,
    spec: parsed.value.spec,
    status: statusOf(raw),
  };
  try {
    return await converge(ctx, vds, signal);
  } catch (error) {
    if (signal.aborted && isAbortError(error)) throw error;
    const reason = failureReason(error);
    const message = (error as Error).message;
    await fail(ctx, raw, reason, message, error instanceof LeaseRenewalError ? "lease" : "sync");
    ctx.metrics.syncFailures.inc({ kind: vdsKind, reason });
    if (reason === "InexistentDestination") return requeueAfter(requeueOnErrorMs);
    if (reason === "TransformationError" || reason === "SecretDataBuilderError") {
      // Fixed only by an edit, which enqueues this object; until then the last good lease lives on.
      const next = nextCheckMs(maintenanceSpec(vds.spec), leaseStatus(vds.status), Date.now());
      return next === undefined ? awaitChange() : requeueAfter(next);
    }
    throw new ReconcileError(reason, message, { cause: error });
  }
}

async function converge(ctx: OperatorContext, vds: Vds, signal: AbortSignal): Promise<Action> {
  const { spec, status } = vds;
  const resolved = await ctx.clients.forConsumer(
    { namespace: vds.namespace, vaultAuthRef: spec.vaultAuthRef, vaultNamespace: spec.namespace },
    signal,
  );
  // Leases end with the token that created them: a 403 must not make the session swap a valid one.
  // (Static-role credentials outlive any token; they need no such care.)
  if (!spec.allowStaticCreds) resolved.session.holdsLeases = true;
  const live = await liveDestination(ctx, vds);
  if (!spec.destination.create && live === undefined) {
    throw new DestinationError(
      "InexistentDestination",
      `destination Secret ${vds.namespace}/${spec.destination.name} does not exist and create is false`,
    );
  }
  const state = stateOf(ctx);
  let reason: SyncReason | undefined = syncReason({
    generation: vds.generation,
    lastGeneration: Number(status.lastGeneration ?? 0),
    forced: state.forced.has(vds.uid),
    createsDestination: spec.destination.create ?? false,
    destinationExists: live !== undefined && ownershipOf(live.metadata, ownerOf(vds)) === "owned",
    cacheKey: resolved.cacheKey,
    lastCacheKey: status.vaultClientMeta?.cacheKey ?? "",
    clientId: resolved.clientId,
    lastClientId: status.vaultClientMeta?.id ?? "",
  });
  const digest = referencedTransformationsDigest(ctx, vds.raw, spec.destination.transformation);
  if (reason === undefined && digest !== status.transformationDigest) {
    // Unknown before (written by VSO or an older Keyport): recorded, acted on from the next edit.
    if (!status.transformationDigest) await recordDigest(ctx, vds, digest);
    else if (live === undefined || !(await rerenderFromLive(ctx, vds, live, digest))) {
      reason = "TransformationUpdated";
    }
  }
  const action =
    reason === undefined
      ? await maintain(ctx, vds, resolved, live, signal)
      : await issueKeepingLeaseAlive(ctx, vds, resolved, reason, live, signal);
  const waiting = await settleSuperseded(ctx, vds.raw, spec, resolved.client, signal);
  return waiting ? sooner(action, rolloutCheckIntervalMs) : action;
}

/**
 * The destination as it is now: from the cache of Secrets we label, else one GET (a `create:
 * false` Secret, or a Secret of that name we do not own yet).
 */
async function liveDestination(ctx: OperatorContext, vds: Vds): Promise<SecretObject | undefined> {
  const name = vds.spec.destination.name;
  return ctx.stores.managedSecrets.get(vds.namespace, name) ?? (await ctx.writer.read(vds.namespace, name));
}

async function maintain(
  ctx: OperatorContext,
  vds: Vds,
  resolved: ResolvedClient,
  live: SecretObject | undefined,
  signal: AbortSignal,
): Promise<Action> {
  const spec = maintenanceSpec(vds.spec);
  const current = leaseStatus(vds.status);
  recordExpiry(ctx, vds, spec, current);
  const plan = planMaintenance(spec, current, Date.now());
  switch (plan.kind) {
    case "wait":
      return requeueAfter(plan.afterMs);
    case "idle":
      return awaitChange();
    case "reissue":
      return issue(ctx, vds, resolved, plan.reason, live, signal);
    case "renew":
      return renew(ctx, vds, resolved, live, signal);
  }
}

async function renew(
  ctx: OperatorContext,
  vds: Vds,
  resolved: ResolvedClient,
  live: SecretObject | undefined,
  signal: AbortSignal,
): Promise<Action> {
  const lease = vds.status.secretLease ?? noLease;
  const outcome = await renewDynamicLease(resolved.client, lease, signal);
  switch (outcome.kind) {
    case "gone":
      ctx.metrics.leaseRenewals.inc({ result: "not_found" });
      await ctx.events.normal(
        vds.raw,
        "SecretLeaseRenewal",
        `Lease ${lease.id} no longer exists in Vault (expired, revoked, or its token ended): requesting new credentials`,
      );
      return issue(ctx, vds, resolved, "LeaseNotFound", live, signal);
    case "refused":
      ctx.metrics.leaseRenewals.inc({ result: "error" });
      await ctx.events.warning(
        vds.raw,
        "SecretLeaseRenewalError",
        `Could not renew lease ${lease.id}: ${outcome.message}; requesting new credentials`,
      );
      return issue(ctx, vds, resolved, "SecretLeaseRenewalError", live, signal);
    case "failed":
      if (signal.aborted) throw outcome.error;
      ctx.metrics.leaseRenewals.inc({ result: "error" });
      throw new LeaseRenewalError(`Could not renew lease ${lease.id}: ${outcome.error.message}`, {
        cause: outcome.error,
      });
    case "truncated": {
      ctx.metrics.leaseRenewals.inc({ result: "truncated" });
      // The renewal did extend it, to its max TTL: that is when the superseded lease ends.
      vds.status = {
        ...vds.status,
        lastRenewalTime: Math.floor(Date.now() / 1000),
        secretLease: { ...lease, duration: outcome.granted },
      };
      await ctx.events.normal(
        vds.raw,
        "SecretLeaseRenewal",
        `Lease renewal was truncated from ${outcome.asked}s to ${outcome.granted}s (max TTL): requesting new credentials`,
      );
      return issue(ctx, vds, resolved, "LeaseTruncated", live, signal);
    }
    case "renewed": {
      ctx.metrics.leaseRenewals.inc({ result: "renewed" });
      const now = Date.now();
      const next: VdsStatus = {
        lastRenewalTime: Math.floor(now / 1000),
        secretLease: { ...lease, duration: outcome.duration, renewable: outcome.renewable },
      };
      await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, vds.raw, {
        ...next,
        lastRuntimePodUID: runtimePodUid() ?? vds.status.lastRuntimePodUID,
        conditions: setConditions(
          vds.status.conditions,
          [
            { type: "LeaseRenewal", status: "True", reason: "SecretLeaseRenewal", message: "Lease renewed" },
            { type: "SecretSynced", status: "True", reason: "SecretSynced", message: "Secret synced" },
            ...healthConditions(true, "Healthy", "Secret synced"),
          ],
          vds.generation,
        ),
      });
      const spec = maintenanceSpec(vds.spec);
      const renewed = leaseStatus({ ...vds.status, ...next });
      recordExpiry(ctx, vds, spec, renewed);
      const after = nextCheckMs(spec, renewed, now);
      return after === undefined ? awaitChange() : requeueAfter(after);
    }
  }
}

export const vaultDynamicSecretKind: SecretKind = {
  name: vdsController,
  resource: vaultDynamicSecrets,
  reconcile: reconcileVaultDynamicSecret,
};
