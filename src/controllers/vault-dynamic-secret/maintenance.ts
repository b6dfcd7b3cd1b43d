// What a synced VaultDynamicSecret needs next, as pure functions of its status, its spec and the
// time: wait, renew the lease, or request new credentials. Everything is computed from status, so
// a restarted operator (or a new leader) reaches the same decision without asking Vault — and
// does not renew early: leases outside their renewal window are left alone (no thundering herd).
import { isStaticCreds, type StaticCredsMetadata } from "../../vault/index.ts";

type Random = () => number;

/** VSO caps renewalPercent here: a renewal later than 90 % of the lease risks missing it. */
export const maxRenewalPercent = 90;

/** VSO's jitter for static-role rotation checks: up to 5 % of 3 s. */
const staticJitterMs = 3_000 * 0.05;

/** When the lease duration or the rotation ttl is 0: look again after a second (VSO). */
const minimumDelayMs = 1_000;

function clampPercent(renewalPercent: number): number {
  return Math.min(maxRenewalPercent, Math.max(0, renewalPercent));
}

/**
 * VSO's renewal horizon: `lease·rp/100 + 0.1·lease − rand[0, 0.1·lease)`, i.e. between
 * renewalPercent and renewalPercent + 10 % of the lease.
 */
export function dynamicHorizonMs(
  leaseMs: number,
  renewalPercent: number,
  random: Random = Math.random,
): number {
  const rp = clampPercent(renewalPercent);
  return (leaseMs * rp) / 100 + 0.1 * leaseMs - random() * 0.1 * leaseMs;
}

/** The start of the renewal window: renewalPercent of the lease after it was granted. */
export function renewalWindowStartMs(leaseMs: number, renewalPercent: number): number {
  return (leaseMs * clampPercent(renewalPercent)) / 100;
}

/**
 * How long after reading static-role credentials to read them again: when Vault will have rotated
 * them. Half a second more for a period (Vault rotates on its own tick); a second when the ttl is
 * already 0 (the rotation is overdue, Vault's queue will get to it).
 */
export function staticRotationDelayMs(meta: StaticCredsMetadata): number {
  if (meta.ttl <= 0) return minimumDelayMs;
  return meta.ttl * 1_000 + (meta.rotationPeriod > 0 ? 500 : 0);
}

export interface LeaseStatus {
  /** status.lastRenewalTime: unix seconds of the last request or renewal. */
  lastRenewalTime: number;
  lease: { id: string; duration: number; renewable: boolean };
  staticCreds: StaticCredsMetadata | undefined;
}

export interface MaintenanceSpec {
  renewalPercent: number;
  /** spec.refreshAfter, for responses without a lease duration. */
  refreshAfterMs: number | undefined;
  allowStaticCreds: boolean;
}

export type ReissueReason =
  /** A lease that cannot be renewed reached its horizon (kubernetes tokens, for example). */
  | "LeaseNotRenewable"
  /** The lease ended before it could be renewed (the operator was down past its expiry). */
  | "LeaseExpired"
  /** No lease: spec.refreshAfter elapsed. */
  | "RefreshDue"
  /** A static role's rotation time came. */
  | "RotationDue";

export type Maintenance =
  | { kind: "wait"; afterMs: number }
  | { kind: "renew" }
  | { kind: "reissue"; reason: ReissueReason }
  /** No lease, no rotation, no refreshAfter: nothing will ever be due until the spec changes. */
  | { kind: "idle" };

export function isStaticMode(spec: MaintenanceSpec, status: LeaseStatus): boolean {
  return spec.allowStaticCreds && status.staticCreds !== undefined && isStaticCreds(status.staticCreds);
}

export function planMaintenance(
  spec: MaintenanceSpec,
  status: LeaseStatus,
  nowMs: number,
  random: Random = Math.random,
): Maintenance {
  const anchor = status.lastRenewalTime * 1_000;
  if (isStaticMode(spec, status) && status.staticCreds !== undefined) {
    const due = anchor + staticRotationDelayMs(status.staticCreds);
    if (nowMs < due) return { kind: "wait", afterMs: due - nowMs + random() * staticJitterMs };
    return { kind: "reissue", reason: "RotationDue" };
  }
  const { lease } = status;
  const leaseMs = lease.duration * 1_000;
  const periodMs = leaseMs > 0 ? leaseMs : (spec.refreshAfterMs ?? 0);
  if (periodMs <= 0) return { kind: "idle" };
  const windowStart = anchor + renewalWindowStartMs(periodMs, spec.renewalPercent);
  if (nowMs < windowStart) {
    const at = Math.max(windowStart, anchor + dynamicHorizonMs(periodMs, spec.renewalPercent, random));
    return { kind: "wait", afterMs: at - nowMs };
  }
  if (leaseMs <= 0) return { kind: "reissue", reason: "RefreshDue" };
  if (nowMs >= anchor + leaseMs) return { kind: "reissue", reason: "LeaseExpired" };
  if (lease.id !== "" && lease.renewable) return { kind: "renew" };
  return { kind: "reissue", reason: "LeaseNotRenewable" };
}

/** When the credentials stop working unless renewed: the lease's end, or the next rotation. */
export function credentialsExpireAtMs(spec: MaintenanceSpec, status: LeaseStatus): number | undefined {
  const anchor = status.lastRenewalTime * 1_000;
  if (isStaticMode(spec, status) && status.staticCreds !== undefined) {
    return anchor + status.staticCreds.ttl * 1_000;
  }
  return status.lease.duration > 0 ? anchor + status.lease.duration * 1_000 : undefined;
}

/** The delay before the first check of a lease that was just granted or renewed. */
export function nextCheckMs(
  spec: MaintenanceSpec,
  status: LeaseStatus,
  nowMs: number,
  random: Random = Math.random,
): number | undefined {
  const plan = planMaintenance(spec, status, nowMs, random);
  switch (plan.kind) {
    case "wait":
      return plan.afterMs;
    case "idle":
      return undefined;
    default:
      // Due already (a lease of a second, a rotation ttl of 0): look again shortly, not at once.
      return minimumDelayMs;
  }
}
