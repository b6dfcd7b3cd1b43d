// One row per managed object, computed only from what the controllers write to status (and the
// spec they read): no Vault call, no Secret read, so `keyport status` needs no more than `get` and
// `list` on Keyport's own kinds.
import { parseDuration } from "../../controllers/timing.ts";
import {
  credentialsExpireAtMs,
  isStaticMode,
  type MaintenanceSpec,
  planMaintenance,
} from "../../controllers/vault-dynamic-secret/maintenance.ts";
import { leaseStatus, type VdsStatus } from "../../controllers/vault-dynamic-secret/resource.ts";

/** The kinds `keyport status` reports, in the order the table lists them. */
export const statusKinds = [
  "VaultConnection",
  "VaultAuth",
  "SecretTransformation",
  "VaultStaticSecret",
  "VaultPKISecret",
  "VaultDynamicSecret",
] as const;
export type StatusKind = (typeof statusKinds)[number];

/** What the resource delivers that can run out. */
export type ExpiryKind = "certificate" | "lease" | "rotation";

export interface StatusRow {
  kind: StatusKind;
  namespace: string;
  name: string;
  /**
   * Secret kinds: the SecretSynced condition. VaultConnection, VaultAuth, SecretTransformation:
   * status.valid ("True" valid, "False" invalid). "Unknown" until the controller has written status.
   */
  synced: "True" | "False" | "Unknown";
  /** Whether this object needs attention: the exit status of `keyport status` follows it. */
  failing: boolean;
  /**
   * When the data was last delivered: the certificate's issue (lastRotation), the lease's grant or
   * renewal (lastRenewalTime); for a VaultStaticSecret, when it last became synced — Keyport writes
   * status only when something changes, so a refresh that found nothing new does not move it.
   */
  lastSync?: string;
  /** When Keyport will next act on its own: renewal time, lease renewal, rotation. */
  nextRefresh?: string;
  /** A period rather than a time (VaultStaticSecret: re-read at most this long apart). */
  refreshInterval?: string;
  /** When the certificate, lease or static-role password runs out. */
  expires?: string;
  expiresKind?: ExpiryKind;
  /** The failing condition's reason and message (never secret data: conditions carry none). */
  reason?: string;
  error?: string;
}

export interface RawObject {
  metadata?: { namespace?: string; name?: string; generation?: number; deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

function conditions(object: RawObject): Condition[] {
  const list = object.status?.conditions;
  return Array.isArray(list) ? (list as Condition[]) : [];
}

function condition(object: RawObject, type: string): Condition | undefined {
  return conditions(object).find((c) => c.type === type);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A unix-seconds status field as RFC 3339; undefined for 0 or absent (VSO's "never"). */
function fromUnix(value: unknown): string | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? iso(n * 1000) : undefined;
}

function tri(value: string | undefined): "True" | "False" | "Unknown" {
  return value === "True" || value === "False" ? value : "Unknown";
}

/** The first condition that says something is wrong, most specific first. */
function firstFailure(object: RawObject, types: readonly string[]): Condition | undefined {
  for (const type of types) {
    const c = condition(object, type);
    if (c?.status === "False") return c;
  }
  return undefined;
}

function withError(row: StatusRow, failure: Condition | undefined, fallback?: string): StatusRow {
  if (failure !== undefined) {
    row.failing = true;
    if (failure.reason) row.reason = failure.reason;
    row.error = failure.message || failure.reason || "failing";
  } else if (fallback !== undefined && fallback !== "") {
    row.failing = true;
    row.error = fallback;
  }
  return row;
}

function base(kind: StatusKind, object: RawObject): StatusRow {
  return {
    kind,
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
    synced: "Unknown",
    failing: false,
  };
}

/** VaultConnection, VaultAuth, SecretTransformation: valid or not, and why not. */
function validityRow(kind: StatusKind, object: RawObject): StatusRow {
  const row = base(kind, object);
  const valid = object.status?.valid;
  if (typeof valid === "boolean") row.synced = valid ? "True" : "False";
  if (valid === false) {
    const failure = firstFailure(object, ["Ready", "Healthy", "VaultPing", "Available"]);
    const error = typeof object.status?.error === "string" ? object.status.error : "";
    if (failure === undefined) return withError(row, undefined, error || "invalid");
    withError(row, failure);
    if (error !== "") row.error = error;
  }
  return row;
}

function staticSecretRow(object: RawObject): StatusRow {
  const row = base("VaultStaticSecret", object);
  const synced = condition(object, "SecretSynced");
  row.synced = tri(synced?.status);
  if (synced?.status === "True" && synced.lastTransitionTime) row.lastSync = synced.lastTransitionTime;
  const spec = object.spec ?? {};
  const refreshAfter = typeof spec.refreshAfter === "string" ? spec.refreshAfter : undefined;
  // VSO's cadence: refreshAfter, else once a minute while hmacSecretData is on (the default).
  if (refreshAfter !== undefined) row.refreshInterval = refreshAfter;
  else if (spec.hmacSecretData !== false) row.refreshInterval = "60s";
  return withError(row, firstFailure(object, ["SecretSynced", "Ready", "Healthy"]));
}

function pkiSecretRow(object: RawObject, nowMs: number): StatusRow {
  const row = base("VaultPKISecret", object);
  const status = object.status ?? {};
  row.synced = tri(condition(object, "SecretSynced")?.status);
  const lastSync = fromUnix(status.lastRotation);
  if (lastSync !== undefined) row.lastSync = lastSync;
  const expirationMs = Number(status.expiration ?? 0) * 1000;
  const notAfter =
    typeof status.notAfter === "string" && status.notAfter !== ""
      ? status.notAfter
      : fromUnix(status.expiration);
  if (notAfter !== undefined) {
    row.expires = notAfter;
    row.expiresKind = "certificate";
  }
  if (typeof status.renewAt === "string" && status.renewAt !== "") {
    row.nextRefresh = status.renewAt;
  } else if (expirationMs > 0) {
    // Written by VSO (no renewAt): VSO renews at expiration − expiryOffset.
    const spec = object.spec ?? {};
    let offsetMs = 0;
    try {
      offsetMs = typeof spec.expiryOffset === "string" ? parseDuration(spec.expiryOffset) : 0;
    } catch {
      offsetMs = 0;
    }
    row.nextRefresh = iso(expirationMs - offsetMs);
  }
  withError(row, firstFailure(object, ["SecretSynced", "Ready", "Healthy"]));
  if (!row.failing && expirationMs > 0 && expirationMs <= nowMs) {
    row.failing = true;
    row.reason = "CertificateExpired";
    row.error = `certificate expired at ${notAfter}`;
  }
  return row;
}

function dynamicSecretRow(object: RawObject, nowMs: number): StatusRow {
  const row = base("VaultDynamicSecret", object);
  row.synced = tri(condition(object, "SecretSynced")?.status);
  const status = (object.status ?? {}) as VdsStatus;
  const lastSync = fromUnix(status.lastRenewalTime);
  if (lastSync !== undefined) row.lastSync = lastSync;
  const spec = object.spec ?? {};
  let refreshAfterMs: number | undefined;
  try {
    refreshAfterMs = typeof spec.refreshAfter === "string" ? parseDuration(spec.refreshAfter) : undefined;
  } catch {
    refreshAfterMs = undefined;
  }
  const maintenance: MaintenanceSpec = {
    renewalPercent: typeof spec.renewalPercent === "number" ? spec.renewalPercent : 67,
    refreshAfterMs,
    allowStaticCreds: spec.allowStaticCreds === true,
  };
  const lease = leaseStatus(status);
  if (lease.lastRenewalTime > 0) {
    const expires = credentialsExpireAtMs(maintenance, lease);
    if (expires !== undefined) {
      row.expires = iso(expires);
      row.expiresKind = isStaticMode(maintenance, lease) ? "rotation" : "lease";
    }
    // The earliest time the controller acts: the start of the renewal window (no jitter).
    const plan = planMaintenance(maintenance, lease, nowMs, () => 0);
    if (plan.kind === "wait") row.nextRefresh = iso(nowMs + plan.afterMs);
    else if (plan.kind !== "idle") row.nextRefresh = iso(nowMs);
  }
  withError(row, firstFailure(object, ["SecretSynced", "LeaseRenewal", "Ready", "Healthy"]));
  const expiresMs = row.expires === undefined ? undefined : Date.parse(row.expires);
  if (!row.failing && row.expiresKind === "lease" && expiresMs !== undefined && expiresMs <= nowMs) {
    row.failing = true;
    row.reason = "LeaseExpired";
    row.error = `lease expired at ${row.expires}`;
  }
  return row;
}

/** The row for one object of `kind`, as of `nowMs`. */
export function statusRow(kind: StatusKind, object: RawObject, nowMs: number): StatusRow {
  switch (kind) {
    case "VaultConnection":
    case "VaultAuth":
    case "SecretTransformation":
      return validityRow(kind, object);
    case "VaultStaticSecret":
      return staticSecretRow(object);
    case "VaultPKISecret":
      return pkiSecretRow(object, nowMs);
    case "VaultDynamicSecret":
      return dynamicSecretRow(object, nowMs);
  }
}

/** Rows for every object, ordered by kind (statusKinds order), then namespace, then name. */
export function statusRows(
  objects: ReadonlyArray<{ kind: StatusKind; items: readonly RawObject[] }>,
  nowMs: number,
): StatusRow[] {
  const rows = objects.flatMap(({ kind, items }) => items.map((o) => statusRow(kind, o, nowMs)));
  return rows.sort(
    (a, b) =>
      statusKinds.indexOf(a.kind) - statusKinds.indexOf(b.kind) ||
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name),
  );
}
