// Leases replaced by new credentials. With `revoke: true` Keyport revokes them (VSO leaves them
// behind, #935 and #1051) — but only once nothing uses them any more: after the rollout restart the
// new credentials caused has finished (every restarted workload rolled out), or at once when there
// was nothing to restart. A lease whose restart failed is never revoked by us: pods may still use
// it; it ends by itself, never renewed again.
import { isLeaseNotFound, revokeLease, type VaultClient } from "../../vault/index.ts";
import type { OperatorContext, RawResource } from "../context.ts";
import { rolledOut } from "./rollout-status.ts";
import { type SupersededLease, stateOf } from "./state.ts";

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

export function supersede(ctx: OperatorContext, uid: string, lease: SupersededLease): void {
  const state = stateOf(ctx);
  state.superseded.set(uid, [...(state.superseded.get(uid) ?? []), lease]);
}

/**
 * Revokes each superseded lease whose restarted workloads have all rolled out; drops those that
 * expired meanwhile. Resolves to whether any is still waiting.
 */
export async function settleSuperseded(
  ctx: OperatorContext,
  raw: RawResource,
  client: VaultClient,
  signal?: AbortSignal,
): Promise<boolean> {
  const uid = raw.metadata?.uid ?? "";
  const state = stateOf(ctx);
  const pending = state.superseded.get(uid);
  if (pending === undefined) return false;
  const namespace = raw.metadata?.namespace ?? "";
  const remaining: SupersededLease[] = [];
  for (const lease of pending) {
    if (Date.now() >= lease.expiresAtMs) continue;
    let done = true;
    for (const target of lease.targets) {
      if (!(await rolledOut(ctx.kube, namespace, target, signal))) {
        done = false;
        break;
      }
    }
    if (!done || !(await revokeQuietly(ctx, raw, client, lease.leaseId, "superseded"))) remaining.push(lease);
  }
  if (remaining.length === 0) state.superseded.delete(uid);
  else state.superseded.set(uid, remaining);
  return remaining.length > 0;
}

/** The resource is being deleted: nothing is left to wait for. */
export async function revokeAllSuperseded(
  ctx: OperatorContext,
  raw: RawResource,
  client: VaultClient,
): Promise<void> {
  const uid = raw.metadata?.uid ?? "";
  const state = stateOf(ctx);
  for (const lease of state.superseded.get(uid) ?? []) {
    if (Date.now() < lease.expiresAtMs) await revokeQuietly(ctx, raw, client, lease.leaseId, "superseded");
  }
  state.superseded.delete(uid);
}
