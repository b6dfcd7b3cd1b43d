// Superseded leases as status keeps them (`status.supersededLeases`, a Keyport extension), so that
// a restarted operator or a new leader revokes what the previous process was waiting to revoke.
// Pure functions: sealing an entry, and deciding which stored entries may be acted on.
//
// Whoever may patch the status subresource can edit that list, and revoking is destructive: an
// entry is trusted only when its MAC (the operator's HMAC key over the resource UID, the lease ID,
// the expiry and the targets) verifies — Keyport wrote it for this very resource — and its lease
// lies under the resource's own mount. The current lease is never revoked this way. Entries past
// their expiry are dropped: Vault has ended those leases already.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { RolloutRestartTarget } from "../../sync/rollout.ts";

/** One entry of status.supersededLeases (the CRD's `supersededLeaseSchema`). */
export interface SupersededLeaseStatus {
  id: string;
  /** RFC 3339. */
  expiresAt: string;
  targets?: RolloutRestartTarget[];
  mac: string;
}

export interface SupersededLease {
  leaseId: string;
  /** Restarted workloads: the lease is revoked once every one has rolled out. */
  targets: RolloutRestartTarget[];
  /** When the lease ends by itself, never renewed again; waiting longer is pointless. */
  expiresAtMs: number;
}

/** Why a stored entry is refused; it is removed from status and never revoked. */
export type RejectedBecause = "unsigned" | "foreign" | "current" | "malformed";

export interface StoredSuperseded {
  /** Entries to act on. */
  pending: SupersededLease[];
  /** Entries refused, with the reason. */
  rejected: { id: string; because: RejectedBecause }[];
  /** Entries whose lease has ended by now. */
  expired: number;
}

/** RFC 3339 in whole seconds, as Kubernetes writes times. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function macOf(key: Buffer, uid: string, entry: Omit<SupersededLeaseStatus, "mac">): Buffer {
  const targets = (entry.targets ?? []).map((t) => [t.kind, t.name]);
  return createHmac("sha256", key)
    .update(JSON.stringify(["keyport/superseded-lease/v1", uid, entry.id, entry.expiresAt, targets]))
    .digest();
}

/** The status entry for a lease this process superseded. */
export function sealSuperseded(key: Buffer, uid: string, lease: SupersededLease): SupersededLeaseStatus {
  const entry = {
    id: lease.leaseId,
    expiresAt: rfc3339(lease.expiresAtMs),
    ...(lease.targets.length === 0
      ? {}
      : { targets: lease.targets.map((t) => ({ kind: t.kind, name: t.name })) }),
  };
  return { ...entry, mac: macOf(key, uid, entry).toString("base64") };
}

function verified(key: Buffer, uid: string, entry: SupersededLeaseStatus): boolean {
  if (key.length === 0) return false;
  const given = Buffer.from(entry.mac, "base64");
  const expected = macOf(key, uid, entry);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Lease IDs are `<mount>/<path>/<random>`: this one belongs to `mount`. */
export function isLeaseOfMount(leaseId: string, mount: string): boolean {
  const prefix = mount.replace(/^\/+|\/+$/g, "");
  return prefix !== "" && leaseId.startsWith(`${prefix}/`) && leaseId.length > prefix.length + 1;
}

/** Which stored entries may be acted on, for the resource `uid` whose spec names `mount`. */
export function readSuperseded(
  key: Buffer,
  uid: string,
  stored: readonly unknown[] | undefined,
  resource: { mount: string; currentLeaseId: string; nowMs: number },
): StoredSuperseded {
  const out: StoredSuperseded = { pending: [], rejected: [], expired: 0 };
  for (const raw of stored ?? []) {
    const entry = raw as Partial<SupersededLeaseStatus> | null;
    const id = typeof entry?.id === "string" ? entry.id : "";
    const expiresAtMs = typeof entry?.expiresAt === "string" ? Date.parse(entry.expiresAt) : Number.NaN;
    const targets = Array.isArray(entry?.targets) ? entry.targets : [];
    if (
      entry === null ||
      id === "" ||
      Number.isNaN(expiresAtMs) ||
      typeof entry.mac !== "string" ||
      !targets.every((t) => typeof t?.kind === "string" && typeof t?.name === "string")
    ) {
      out.rejected.push({ id, because: "malformed" });
    } else if (!verified(key, uid, entry as SupersededLeaseStatus)) {
      out.rejected.push({ id, because: "unsigned" });
    } else if (!isLeaseOfMount(id, resource.mount)) {
      out.rejected.push({ id, because: "foreign" });
    } else if (id === resource.currentLeaseId) {
      out.rejected.push({ id, because: "current" });
    } else if (resource.nowMs >= expiresAtMs) {
      out.expired++;
    } else if (!out.pending.some((p) => p.leaseId === id)) {
      out.pending.push({ leaseId: id, targets: targets.map((t) => ({ ...t })), expiresAtMs });
    }
  }
  return out;
}
