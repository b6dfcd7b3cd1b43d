// One lease renewal, as VSO asks for it (`sys/leases/renew` with the previous duration as the
// increment) and what the answer means for the credentials.
import { isLeaseNotFound, isVaultError, renewLease, type VaultClient } from "../../vault/index.ts";

export type RenewalOutcome =
  | { kind: "renewed"; duration: number; renewable: boolean }
  /** Granted less than asked: the lease is near its max TTL and will end soon; new credentials. */
  | { kind: "truncated"; asked: number; granted: number }
  /** Vault no longer knows the lease (expired, revoked, or its token ended): new credentials. */
  | { kind: "gone" }
  /** Vault refuses to renew it (policy, not renewable): new credentials, as VSO does. */
  | { kind: "refused"; message: string }
  /** Vault did not answer (unreachable, sealed, 5xx): try again while the lease lasts. */
  | { kind: "failed"; error: Error };

export async function renewDynamicLease(
  client: VaultClient,
  lease: { id: string; duration: number },
  signal?: AbortSignal,
): Promise<RenewalOutcome> {
  try {
    const renewed = await renewLease(client, lease.id, { incrementSeconds: lease.duration, signal });
    if (renewed.leaseDurationSeconds < lease.duration) {
      return { kind: "truncated", asked: lease.duration, granted: renewed.leaseDurationSeconds };
    }
    return { kind: "renewed", duration: renewed.leaseDurationSeconds, renewable: renewed.renewable };
  } catch (error) {
    if (isLeaseNotFound(error)) return { kind: "gone" };
    if (isVaultError(error, "PermissionDenied") || isVaultError(error, "InvalidRequest")) {
      return { kind: "refused", message: error.message };
    }
    return { kind: "failed", error: error instanceof Error ? error : new Error(String(error)) };
  }
}
