// VaultDynamicSecret: leased credentials (database users, Kubernetes tokens, …) or static-role
// credentials, kept in a Secret and kept alive — renewed inside their renewal window, replaced
// when the lease cannot be renewed any more — and never requested again just because the operator
// restarted. The schedule lives in status; the client cache adopts the token the previous process
// persisted, so the status client id still matches after a restart and nothing is re-issued.
import {
  parseVaultDynamicSecret,
  type StaticCredsMetaData,
  type VaultDynamicSecretSpec,
} from "../../api/index.ts";
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import { isAbortError, ReconcileError } from "../../runtime/errors.ts";
import {
  DestinationError,
  decodeData,
  type SecretObject,
  type WriteOutcome,
} from "../../sync/destination.ts";
import type { GoJsonValue } from "../../sync/go-json.ts";
import { secretMac } from "../../sync/hmac.ts";
import { ownershipOf } from "../../sync/ownership.ts";
import { SecretDataError } from "../../sync/secret-data.ts";
import { transformationFailureReason } from "../../sync/transform.ts";
import {
  isStaticCreds,
  isVaultError,
  parentKeyOf,
  requestDynamicSecret,
  type StaticCredsMetadata,
  staticCredsMetadata,
} from "../../vault/index.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import {
  keyOf,
  type OperatorContext,
  type RawResource,
  type SecretKind,
  secretStore,
  splitKey,
} from "../context.ts";
import { ensureFinalizer, removeFinalizer } from "../finalizers.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { parseDuration, requeueOnErrorMs } from "../timing.ts";
import { renderDestinationData } from "../transformations.ts";
import type { ResolvedClient } from "../vault-clients.ts";
import {
  credentialsExpireAtMs,
  type LeaseStatus,
  type MaintenanceSpec,
  nextCheckMs,
  planMaintenance,
  type ReissueReason,
  renewalWindowStartMs,
} from "./maintenance.ts";
import { runtimePodUid } from "./pod-uid.ts";
import { renewDynamicLease } from "./renewal.ts";
import { type RestartOutcome, restartTargets } from "./restarts.ts";
import { stateOf } from "./state.ts";
import {
  sameRotation,
  staticCredsFromStatus,
  staticCredsStatus,
  withoutRotationFields,
} from "./static-creds.ts";
import {
  revokeAllSuperseded,
  revokeQuietly,
  rolloutCheckIntervalMs,
  settleSuperseded,
  supersede,
} from "./superseded-leases.ts";
import { type SyncReason, syncReason } from "./sync-reason.ts";

export const vdsFinalizer = "vaultdynamicsecret.secrets.hashicorp.com/finalizer";
const kind = "VaultDynamicSecret";
const controller = "vaultdynamicsecret";

/** Why credentials were requested: VSO's sync reasons, and what maintenance found. */
export type IssueReason =
  | SyncReason
  | ReissueReason
  | "LeaseTruncated"
  | "LeaseNotFound"
  | "SecretLeaseRenewalError";

interface SecretLeaseStatus {
  id: string;
  duration: number;
  renewable: boolean;
  requestID: string;
}

interface VdsStatus {
  lastRenewalTime?: number;
  lastGeneration?: number;
  secretLease?: SecretLeaseStatus;
  staticCredsMetaData?: StaticCredsMetaData;
  lastRuntimePodUID?: string;
  secretMAC?: string;
  vaultClientMeta?: { cacheKey?: string; id?: string };
  conditions?: never;
}

interface Vds {
  raw: RawResource;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  spec: VaultDynamicSecretSpec;
  status: VdsStatus;
}

/** A renewal that failed for a reason that may pass: the lease is kept and renewal retried. */
class LeaseRenewalError extends Error {
  readonly reason = "SecretLeaseRenewalError";
}

const noLease: SecretLeaseStatus = { id: "", duration: 0, renewable: false, requestID: "" };

function statusOf(raw: RawResource): VdsStatus {
  return (raw.status ?? {}) as VdsStatus;
}

function maintenanceSpec(spec: VaultDynamicSecretSpec): MaintenanceSpec {
  return {
    renewalPercent: spec.renewalPercent,
    refreshAfterMs: spec.refreshAfter ? parseDuration(spec.refreshAfter) : undefined,
    allowStaticCreds: spec.allowStaticCreds ?? false,
  };
}

function leaseStatus(status: VdsStatus): LeaseStatus {
  const lease = status.secretLease ?? noLease;
  return {
    lastRenewalTime: Number(status.lastRenewalTime ?? 0),
    lease: { id: lease.id ?? "", duration: Number(lease.duration ?? 0), renewable: lease.renewable ?? false },
    staticCreds: staticCredsFromStatus(status.staticCredsMetaData),
  };
}

function ownerOf(vds: Vds) {
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind,
    name: vds.name,
    namespace: vds.namespace,
    uid: vds.uid,
  };
}

function sooner(action: Action, ms: number): Action {
  return action.kind === "requeue" ? requeueAfter(Math.min(action.afterMs, ms)) : requeueAfter(ms);
}

export async function reconcileVaultDynamicSecret(
  ctx: OperatorContext,
  key: string,
  signal: AbortSignal,
): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = secretStore(ctx, controller).get(namespace, name);
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
    ctx.metrics.syncFailures.inc({ kind, reason: "InvalidConfiguration" });
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
    ctx.metrics.syncFailures.inc({ kind, reason });
    if (reason === "InexistentDestination") return requeueAfter(requeueOnErrorMs);
    if (reason === "TransformationError" || reason === "SecretDataBuilderError") {
      // Fixed only by an edit, which enqueues this object; until then the last good lease lives on.
      const next = nextCheckMs(maintenanceSpec(vds.spec), leaseStatus(vds.status), Date.now());
      return next === undefined ? awaitChange() : requeueAfter(next);
    }
    throw new ReconcileError(reason, message, { cause: error });
  }
}

function failureReason(error: unknown): string {
  const transformation = transformationFailureReason(error);
  if (transformation !== undefined) return transformation;
  // Vault's refusals are VSO's VaultClientError; the message carries Vault's own words.
  if (isVaultError(error)) return "VaultClientError";
  if (
    error instanceof ReconcileError ||
    error instanceof DestinationError ||
    error instanceof SecretDataError ||
    error instanceof LeaseRenewalError
  ) {
    return error.reason;
  }
  return "SecretSyncError";
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
  const reason = syncReason({
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
  const action =
    reason === undefined
      ? await maintain(ctx, vds, resolved, live, signal)
      : await issueKeepingLeaseAlive(ctx, vds, resolved, reason, live, signal);
  const waiting = await settleSuperseded(ctx, vds.raw, resolved.client, signal);
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

/**
 * Requests credentials; if that fails (a bad path after an edit, Vault refusing), the credentials
 * in the Secret stay — and so does their lease, renewed here when its window comes, so the last
 * good credentials keep working while the problem is fixed.
 */
async function issueKeepingLeaseAlive(
  ctx: OperatorContext,
  vds: Vds,
  resolved: ResolvedClient,
  reason: SyncReason,
  live: SecretObject | undefined,
  signal: AbortSignal,
): Promise<Action> {
  try {
    return await issue(ctx, vds, resolved, reason, live, signal);
  } catch (error) {
    if (!signal.aborted) await keepLeaseAlive(ctx, vds, resolved, signal);
    throw error;
  }
}

async function keepLeaseAlive(
  ctx: OperatorContext,
  vds: Vds,
  resolved: ResolvedClient,
  signal: AbortSignal,
): Promise<void> {
  const current = leaseStatus(vds.status);
  const { lease } = current;
  const now = Date.now();
  const anchor = current.lastRenewalTime * 1_000;
  if (lease.id === "" || !lease.renewable || lease.duration <= 0) return;
  if (now < anchor + renewalWindowStartMs(lease.duration * 1_000, vds.spec.renewalPercent)) return;
  if (now >= anchor + lease.duration * 1_000) return;
  const outcome = await renewDynamicLease(resolved.client, lease, signal);
  if (outcome.kind !== "renewed" && outcome.kind !== "truncated") {
    ctx.metrics.leaseRenewals.inc({ result: outcome.kind === "gone" ? "not_found" : "error" });
    return;
  }
  ctx.metrics.leaseRenewals.inc({ result: outcome.kind });
  const duration = outcome.kind === "renewed" ? outcome.duration : outcome.granted;
  const next: VdsStatus = {
    lastRenewalTime: Math.floor(now / 1000),
    secretLease: { ...(vds.status.secretLease ?? noLease), duration },
  };
  try {
    await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, vds.raw, { ...next });
    vds.status = { ...vds.status, ...next };
  } catch (error) {
    ctx.log.warn({ err: (error as Error).message, resource: keyOf(vds.raw) }, "status update failed");
  }
}

/**
 * Requests new credentials and delivers them: the destination is written (static-role reads only
 * when the password changed), workloads restarted, status recorded, and the lease the new one
 * replaces handed over for revocation.
 */
async function issue(
  ctx: OperatorContext,
  vds: Vds,
  resolved: ResolvedClient,
  reason: IssueReason,
  live: SecretObject | undefined,
  signal: AbortSignal,
): Promise<Action> {
  const { spec, status, raw } = vds;
  const state = stateOf(ctx);
  const owner = ownerOf(vds);
  if (spec.destination.create && live !== undefined) {
    // Refuse before minting anything that could not be delivered.
    const ownership = ownershipOf(live.metadata, owner);
    if (ownership === "foreign" || (ownership === "unmarked" && !spec.destination.overwrite)) {
      throw new DestinationError(
        "SecretSyncError",
        ownership === "foreign"
          ? `destination Secret ${vds.namespace}/${spec.destination.name} is owned by another resource`
          : `destination Secret ${vds.namespace}/${spec.destination.name} exists and is not managed by this resource; set destination.overwrite to take it over`,
      );
    }
  }
  state.forced.add(vds.uid);
  const secret = await requestDynamicSecret(resolved.client, {
    mount: spec.mount,
    path: spec.path,
    method: spec.requestHTTPMethod,
    params: spec.params,
    signal,
  });
  ctx.metrics.dynamicCredentialIssuances.inc({ reason });
  let meta: StaticCredsMetadata;
  let rotationMac: string | undefined;
  let outcome: WriteOutcome = "unchanged";
  try {
    meta = staticCredsMetadata(secret.data);
    const data = renderDestinationData(ctx, raw, spec.destination.transformation, {
      fields: secret.data,
      raw: secret.data as GoJsonValue,
    });
    if (isStaticCreds(meta)) {
      rotationMac = secretMac(ctx.hmacKey, withoutRotationFields(data));
      const liveMac =
        live === undefined ? undefined : secretMac(ctx.hmacKey, withoutRotationFields(decodeData(live.data)));
      const unchanged = status.secretMAC === rotationMac && liveMac === rotationMac;
      if (!unchanged) outcome = await write(ctx, vds, data, live);
    } else {
      outcome = await write(ctx, vds, data, live);
    }
  } catch (error) {
    // Minted but never delivered: nobody can be using it, so it goes whatever spec.revoke says.
    if (secret.leaseId !== "") await revokeQuietly(ctx, raw, resolved.client, secret.leaseId, "undelivered");
    throw error;
  }
  state.forced.delete(vds.uid);

  const changed = outcome !== "unchanged";
  const firstSync = Number(status.lastGeneration ?? 0) === 0;
  const conditions: ConditionInput[] = [
    { type: "SecretSynced", status: "True", reason: "SecretSynced", message: "Secret synced" },
    ...healthConditions(true, "Healthy", "Secret synced"),
  ];
  // Workloads restart for credentials they have not seen: never for the first sync, never for a
  // read that changed nothing (a static role before its rotation, an unchanged refresh).
  let restart: RestartOutcome | undefined;
  const targets = spec.rolloutRestartTargets ?? [];
  if (changed && !firstSync && targets.length > 0) {
    restart = await restartTargets(ctx, raw, targets);
    conditions.push(...restart.conditions);
  }

  const now = Date.now();
  const previousMeta = staticCredsFromStatus(status.staticCredsMetaData);
  // A static-role read that found nothing new keeps its anchor: status is not rewritten per read.
  const sameRead = !changed && isStaticCreds(meta) && sameRotation(previousMeta, meta);
  const lease: SecretLeaseStatus = sameRead
    ? (status.secretLease ?? noLease)
    : {
        id: secret.leaseId,
        duration: secret.leaseDurationSeconds,
        renewable: secret.renewable,
        requestID: secret.requestId,
      };
  const next: VdsStatus = {
    lastGeneration: vds.generation,
    lastRenewalTime: sameRead ? Number(status.lastRenewalTime ?? 0) : Math.floor(now / 1000),
    secretLease: lease,
    staticCredsMetaData: staticCredsStatus(meta),
  };
  await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, raw, {
    ...next,
    secretMAC: rotationMac,
    vaultClientMeta: {
      cacheKey: resolved.cacheKey,
      ...(resolved.clientId === undefined ? {} : { id: resolved.clientId }),
    },
    lastRuntimePodUID: runtimePodUid() ?? status.lastRuntimePodUID,
    conditions: setConditions(status.conditions, conditions, vds.generation),
  });
  await ensureFinalizer(ctx.kube, vaultDynamicSecrets, raw, vdsFinalizer);

  const previous = leaseStatus(status);
  if (previous.lease.id !== "" && previous.lease.id !== secret.leaseId) {
    await handOverSuperseded(ctx, vds, previous, restart);
  }
  ctx.metrics.syncs.inc({ kind, result: changed ? "written" : "unchanged" });
  if (changed) {
    await ctx.events.normal(
      raw,
      firstSync ? "SecretSynced" : "SecretRotated",
      `Secret synced, lease_id=${JSON.stringify(secret.leaseId)}, sync_reason=${reason}`,
    );
    if (!firstSync) {
      ctx.log.info(
        { resource: keyOf(raw), reason, leaseId: secret.leaseId, cacheKey: resolved.cacheKey },
        "new dynamic credentials delivered",
      );
    }
  }
  const spec2 = maintenanceSpec(spec);
  const written = leaseStatus({ ...status, ...next });
  recordExpiry(ctx, vds, spec2, written);
  const after = nextCheckMs(spec2, written, now);
  return after === undefined ? awaitChange() : requeueAfter(after);
}

async function write(
  ctx: OperatorContext,
  vds: Vds,
  data: Record<string, Uint8Array>,
  live: SecretObject | undefined,
): Promise<WriteOutcome> {
  // Our own write comes back as a watch event; this MAC tells it from drift.
  ctx.lastWritten.set(vds.uid, secretMac(ctx.hmacKey, data));
  return ctx.writer.write(ownerOf(vds), vds.spec.destination, data, live);
}

/** The replaced lease: revoked after the rollout it caused (spec.revoke), else left to expire. */
async function handOverSuperseded(
  ctx: OperatorContext,
  vds: Vds,
  previous: LeaseStatus,
  restart: RestartOutcome | undefined,
): Promise<void> {
  if (!vds.spec.revoke) return;
  const expiresAtMs = previous.lastRenewalTime * 1_000 + previous.lease.duration * 1_000;
  if (restart !== undefined && restart.failed.length > 0) {
    await ctx.events.warning(
      vds.raw,
      "SecretLeaseRevoke",
      `Lease ${previous.lease.id} is not revoked: the rollout restart failed, so workloads may still use it; it ends at ${new Date(expiresAtMs).toISOString()}`,
    );
    return;
  }
  supersede(ctx, vds.uid, { leaseId: previous.lease.id, targets: restart?.restarted ?? [], expiresAtMs });
}

function recordExpiry(ctx: OperatorContext, vds: Vds, spec: MaintenanceSpec, status: LeaseStatus): void {
  const expires = credentialsExpireAtMs(spec, status);
  const labels = { namespace: vds.namespace, name: vds.name };
  if (expires === undefined) ctx.metrics.leaseExpiry.remove(labels);
  else ctx.metrics.leaseExpiry.set(labels, Math.floor(expires / 1000));
}

async function finalize(ctx: OperatorContext, raw: RawResource, signal: AbortSignal): Promise<void> {
  const parsed = parseVaultDynamicSecret(raw);
  const uid = raw.metadata?.uid ?? "";
  const state = stateOf(ctx);
  const leaseId = statusOf(raw).secretLease?.id ?? "";
  if (parsed.ok && parsed.value.spec.revoke && (leaseId !== "" || state.superseded.has(uid))) {
    const spec = parsed.value.spec;
    try {
      const resolved = await ctx.clients.forConsumer(
        {
          namespace: raw.metadata?.namespace ?? "",
          vaultAuthRef: spec.vaultAuthRef,
          vaultNamespace: spec.namespace,
        },
        signal,
      );
      if (leaseId !== "") await revokeQuietly(ctx, raw, resolved.client, leaseId, "deleted");
      await revokeAllSuperseded(ctx, raw, resolved.client);
    } catch (error) {
      // As VSO: a lease left behind is better than a resource that cannot be deleted.
      await ctx.events.warning(
        raw,
        "SecretLeaseRevoke",
        `Could not revoke lease ${leaseId}: ${(error as Error).message}`,
      );
    }
  }
  state.superseded.delete(uid);
  state.forced.delete(uid);
  ctx.lastWritten.delete(uid);
  ctx.metrics.leaseExpiry.remove({
    namespace: raw.metadata?.namespace ?? "",
    name: raw.metadata?.name ?? "",
  });
  await removeFinalizer(ctx.kube, vaultDynamicSecrets, raw, vdsFinalizer);
}

async function fail(
  ctx: OperatorContext,
  raw: RawResource,
  reason: string,
  message: string,
  scope: "sync" | "lease",
): Promise<void> {
  await ctx.events.warning(raw, reason, message);
  const status = statusOf(raw);
  const conditions: ConditionInput[] =
    scope === "lease"
      ? [{ type: "LeaseRenewal", status: "False", reason, message }]
      : [{ type: "SecretSynced", status: "False", reason, message }];
  await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, raw, {
    // Required by the schema; a failure advances none of them.
    lastGeneration: Number(status.lastGeneration ?? 0),
    lastRenewalTime: Number(status.lastRenewalTime ?? 0),
    secretLease: status.secretLease ?? noLease,
    conditions: setConditions(
      status.conditions,
      [...conditions, ...healthConditions(false, reason, message)],
      raw.metadata?.generation,
    ),
  }).catch((error: unknown) => {
    ctx.log.warn({ err: (error as Error).message, resource: keyOf(raw) }, "status update failed");
  });
}

/**
 * A token was replaced (max TTL reached, found invalid): leases it created end with it, so every
 * VaultDynamicSecret that used it is reconciled now — it sees VaultTokenRotated and gets new
 * credentials while the old ones still work.
 */
export function onTokenReplaced(ctx: OperatorContext, parentKey: string): void {
  let resources = 0;
  for (const object of secretStore(ctx, controller).list()) {
    const cacheKey = statusOf(object).vaultClientMeta?.cacheKey;
    if (cacheKey === undefined || parentKeyOf(cacheKey) !== parentKey) continue;
    ctx.enqueue(controller, keyOf(object));
    resources++;
  }
  if (resources > 0) {
    ctx.log.info(
      { cacheKey: parentKey, resources },
      "Vault token replaced: the leases it created end with it, so its VaultDynamicSecrets get new credentials",
    );
  }
}

export const vaultDynamicSecretKind: SecretKind = {
  name: controller,
  resource: vaultDynamicSecrets,
  reconcile: reconcileVaultDynamicSecret,
};
