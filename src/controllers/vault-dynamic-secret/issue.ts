// Getting credentials and delivering them: request, render, write (a static-role read only when
// the password changed), restart the workloads, record the lease, hand the replaced lease over
// for revocation.
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import {
  DestinationError,
  decodeData,
  type SecretObject,
  type WriteOutcome,
} from "../../sync/destination.ts";
import type { GoJsonValue } from "../../sync/go-json.ts";
import { secretMac } from "../../sync/hmac.ts";
import { ownershipOf } from "../../sync/ownership.ts";
import {
  isStaticCreds,
  requestDynamicSecret,
  type StaticCredsMetadata,
  staticCredsMetadata,
} from "../../vault/index.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import { keyOf, type OperatorContext } from "../context.ts";
import { ensureFinalizer } from "../finalizers.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { referencedTransformationsDigest, renderDestinationData } from "../transformations.ts";
import type { ResolvedClient } from "../vault-clients.ts";
import { type LeaseStatus, nextCheckMs, type ReissueReason, renewalWindowStartMs } from "./maintenance.ts";
import { runtimePodUid } from "./pod-uid.ts";
import { renewDynamicLease } from "./renewal.ts";
import {
  leaseStatus,
  maintenanceSpec,
  noLease,
  ownerOf,
  recordExpiry,
  type SecretLeaseStatus,
  type Vds,
  type VdsStatus,
  vdsFinalizer,
  vdsKind,
} from "./resource.ts";
import { type RestartOutcome, restartTargets } from "./restarts.ts";
import { stateOf } from "./state.ts";
import {
  sameRotation,
  staticCredsFromStatus,
  staticCredsStatus,
  withoutRotationFields,
} from "./static-creds.ts";
import { revokeQuietly, withSuperseded } from "./superseded-leases.ts";
import type { SyncReason } from "./sync-reason.ts";

/** Why credentials were requested: VSO's sync reasons, and what maintenance found. */
export type IssueReason =
  | SyncReason
  | ReissueReason
  | "LeaseTruncated"
  | "LeaseNotFound"
  | "SecretLeaseRenewalError";

/**
 * Requests credentials; if that fails (a bad path after an edit, Vault refusing), the credentials
 * in the Secret stay — and so does their lease, renewed here when its window comes, so the last
 * good credentials keep working while the problem is fixed.
 */
export async function issueKeepingLeaseAlive(
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

export async function keepLeaseAlive(
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
export async function issue(
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
  // The replaced lease, waiting for its rollout, is recorded in the same write as the new one.
  const superseded = await handOverSuperseded(ctx, vds, resolved, leaseStatus(status), lease.id, restart);
  await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, raw, {
    ...next,
    secretMAC: rotationMac,
    vaultClientMeta: {
      cacheKey: resolved.cacheKey,
      ...(resolved.clientId === undefined ? {} : { id: resolved.clientId }),
    },
    lastRuntimePodUID: runtimePodUid() ?? status.lastRuntimePodUID,
    transformationDigest: referencedTransformationsDigest(ctx, raw, spec.destination.transformation),
    conditions: setConditions(status.conditions, conditions, vds.generation),
    ...(superseded === undefined
      ? {}
      : { supersededLeases: superseded.length === 0 ? undefined : superseded }),
  });
  await ensureFinalizer(ctx.kube, vaultDynamicSecrets, raw, vdsFinalizer);

  ctx.metrics.syncs.inc({ kind: vdsKind, result: changed ? "written" : "unchanged" });
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

export async function write(
  ctx: OperatorContext,
  vds: Vds,
  data: Record<string, Uint8Array>,
  live: SecretObject | undefined,
): Promise<WriteOutcome> {
  // Our own write comes back as a watch event; this MAC tells it from drift.
  ctx.lastWritten.set(vds.uid, secretMac(ctx.hmacKey, data));
  return ctx.writer.write(ownerOf(vds), vds.spec.destination, data, live);
}

/**
 * The replaced lease: revoked after the rollout it caused (spec.revoke), else left to expire.
 * Resolves to the new `status.supersededLeases`, or undefined when nothing was replaced.
 */
export async function handOverSuperseded(
  ctx: OperatorContext,
  vds: Vds,
  resolved: ResolvedClient,
  previous: LeaseStatus,
  newLeaseId: string,
  restart: RestartOutcome | undefined,
): Promise<unknown[] | undefined> {
  if (!vds.spec.revoke || previous.lease.id === "" || previous.lease.id === newLeaseId) return undefined;
  const expiresAtMs = previous.lastRenewalTime * 1_000 + previous.lease.duration * 1_000;
  if (restart !== undefined && restart.failed.length > 0) {
    await ctx.events.warning(
      vds.raw,
      "SecretLeaseRevoke",
      `Lease ${previous.lease.id} is not revoked: the rollout restart failed, so workloads may still use it; it ends at ${new Date(expiresAtMs).toISOString()}`,
    );
    return undefined;
  }
  return withSuperseded(ctx, vds.raw, resolved.client, {
    leaseId: previous.lease.id,
    targets: restart?.restarted ?? [],
    expiresAtMs,
  });
}
