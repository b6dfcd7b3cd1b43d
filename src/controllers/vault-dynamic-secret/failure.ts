// How a failed reconcile is reported: VSO's reason, a Warning Event, and conditions — SecretSynced
// for a failure to deliver credentials, LeaseRenewal for a renewal that could not be done. The
// Secret itself is never touched on failure: it keeps the last good credentials.
import { ReconcileError } from "../../runtime/errors.ts";
import { DestinationError } from "../../sync/destination.ts";
import { SecretDataError } from "../../sync/secret-data.ts";
import { transformationFailureReason } from "../../sync/transform.ts";
import { isVaultError } from "../../vault/index.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import { keyOf, type OperatorContext, type RawResource } from "../context.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { noLease, statusOf } from "./resource.ts";

/** A renewal that failed for a reason that may pass: the lease is kept and renewal retried. */
export class LeaseRenewalError extends Error {
  readonly reason = "SecretLeaseRenewalError";
}

export function failureReason(error: unknown): string {
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

export async function fail(
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
