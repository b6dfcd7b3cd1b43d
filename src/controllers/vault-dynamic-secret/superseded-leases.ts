// Leases replaced by new credentials. With `revoke: true` Keyport revokes them (VSO leaves them
// behind, #935 and #1051) — but only once nothing uses them any more: after the rollout restart the
// new credentials caused has finished (every restarted workload rolled out), or at once when there
// was nothing to restart. A lease whose restart failed is never revoked by us: pods may still use
// it; it ends by itself, never renewed again.
//
// The leases waiting for their rollout live in `status.supersededLeases`, written together with the
// new lease (no extra API write) and removed once revoked or expired; every reconcile reads them
// from there, so a restarted operator or a new leader finishes what the previous one started.
import type { VaultDynamicSecretSpec } from "../../api/index.ts";
import { isLeaseNotFound, revokeLease, type VaultClient } from "../../vault/index.ts";
import { keyOf, type OperatorContext, type RawResource } from "../context.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { freshStatus, writeStatusIfChanged } from "../status.ts";
import type { VdsStatus } from "./resource.ts";
import { rolledOut } from "./rollout-status.ts";
import {
  readSuperseded,
  type StoredSuperseded,
  type SupersededLease,
  sealSuperseded,
} from "./superseded-status.ts";

/** How often a pending revocation looks at the rollout again. */
export const rolloutCheckIntervalMs = 5_000;

export type RevocationCause = "deleted" | "superseded" | "undelivered";

/** Revokes one lease; Vault not knowing it (expired, revoked) counts as done. Never throws. */
export async function revokeQuietly(
  ctx: OperatorContext,
  raw: RawResource,
  client: VaultClient,
  leaseId: string,
  cause: RevocationCause,
): Promise<boolean> {
  try {
    await revokeLease(client, leaseId);
    ctx.metrics.leaseRevocations.inc({ cause, result: "revoked" });
    await ctx.events.normal(raw, "SecretLeaseRevoke", `Lease revoked (${cause}): ${leaseId}`);
    return true;
  } catch (error) {
    if (isLeaseNotFound(error)) {
      ctx.metrics.leaseRevocations.inc({ cause, result: "gone" });
      return true;
    }
    ctx.metrics.leaseRevocations.inc({ cause, result: "failed" });
    await ctx.events.warning(
      raw,
      "SecretLeaseRevoke",
      `Failed to revoke lease ${leaseId} (${cause}): ${(error as Error).message}`,
    );
    return false;
  }
}

/** The status entries as stored now (our own last write included), untouched. */
export function storedSuperseded(raw: RawResource): unknown[] {
  const stored = (freshStatus(raw) as VdsStatus).supersededLeases;
  return Array.isArray(stored) ? stored : [];
}

/** The stored entries this resource may act on; refused ones are reported (they go with the next write). */
async function trustedSuperseded(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultDynamicSecretSpec,
): Promise<StoredSuperseded> {
  const status = freshStatus(raw) as VdsStatus;
  const read = readSuperseded(ctx.hmacKey, raw.metadata?.uid ?? "", storedSuperseded(raw), {
    mount: spec.mount,
    currentLeaseId: status.secretLease?.id ?? "",
    nowMs: Date.now(),
  });
  for (const { id, because } of read.rejected) {
    ctx.log.warn({ resource: keyOf(raw), leaseId: id, because }, "superseded lease entry refused");
    await ctx.events.warning(
      raw,
      "SecretLeaseRevoke",
      `status.supersededLeases entry ${JSON.stringify(id)} is not revoked and is removed: ${refusal[because]}`,
    );
  }
  return read;
}

const refusal: Record<string, string> = {
  malformed: "it is malformed",
  unsigned: "its MAC does not verify (not written by Keyport for this resource)",
  foreign: "the lease is not one of this resource's mount",
  current: "it is the lease in use",
};

/**
 * The list `issue` writes with the new lease: what is stored, plus the lease it just replaced.
 * A lease whose restart restarted nothing is revoked here, at once, and never stored.
 */
export async function withSuperseded(
  ctx: OperatorContext,
  raw: RawResource,
  client: VaultClient,
  lease: SupersededLease,
): Promise<unknown[]> {
  const stored = storedSuperseded(raw).filter((e) => (e as { id?: unknown }).id !== lease.leaseId);
  if (Date.now() >= lease.expiresAtMs) return stored;
  if (lease.targets.length === 0 && (await revokeQuietly(ctx, raw, client, lease.leaseId, "superseded"))) {
    return stored;
  }
  return [...stored, sealSuperseded(ctx.hmacKey, raw.metadata?.uid ?? "", lease)];
}

/**
 * Revokes each superseded lease whose restarted workloads have all rolled out; drops those that
 * expired meanwhile or cannot be trusted, and writes what is left to status (only if that
 * changed). Resolves to whether any is still waiting.
 */
export async function settleSuperseded(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultDynamicSecretSpec,
  client: VaultClient,
  signal?: AbortSignal,
): Promise<boolean> {
  const stored = storedSuperseded(raw);
  if (stored.length === 0) return false;
  const { pending } = await trustedSuperseded(ctx, raw, spec);
  const namespace = raw.metadata?.namespace ?? "";
  const remaining: SupersededLease[] = [];
  // revoke turned off meanwhile: the leases are left to end at their TTL, as VSO leaves them.
  for (const lease of spec.revoke ? pending : []) {
    let done = true;
    for (const target of lease.targets) {
      if (!(await rolledOut(ctx.kube, namespace, target, signal))) {
        done = false;
        break;
      }
    }
    if (!done || !(await revokeQuietly(ctx, raw, client, lease.leaseId, "superseded"))) remaining.push(lease);
  }
  const uid = raw.metadata?.uid ?? "";
  const kept = remaining.map((lease) => sealSuperseded(ctx.hmacKey, uid, lease));
  try {
    await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, raw, {
      supersededLeases: kept.length === 0 ? undefined : kept,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    // Revoked but still listed: the next look finds Vault has forgotten them and removes them.
    ctx.log.warn({ err: (error as Error).message, resource: keyOf(raw) }, "status update failed");
    return true;
  }
  return remaining.length > 0;
}

/** The resource is being deleted: nothing is left to wait for. */
export async function revokeAllSuperseded(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultDynamicSecretSpec,
  client: VaultClient,
): Promise<void> {
  const { pending } = await trustedSuperseded(ctx, raw, spec);
  for (const lease of pending) await revokeQuietly(ctx, raw, client, lease.leaseId, "superseded");
}
