// The VaultDynamicSecret request: a read of any engine's path (database creds, static-creds,
// kubernetes tokens, aws, …), GET or PUT as VSO chooses, with the whole response envelope returned.
// Numbers keep their source text: `data` becomes `_raw` and the destination's data keys, and both
// must encode exactly as Go re-encodes them, or the HMAC of a migrated Secret would not match.
// Lease renewal and revocation are in sys.ts.
import { type GoJsonValue, JsonNumber, parseJsonKeepingNumbers } from "../../sync/go-json.ts";
import type { VaultSender } from "../client.ts";
import { VaultError } from "../errors.ts";
import type { VaultSecretResponse } from "../responses.ts";
import { kvPath as joinPath } from "./kv.ts";

export type DynamicRequestMethod = "GET" | "POST" | "PUT";

/**
 * VSO's rule: any params make it a PUT whatever the method says; POST is sent as PUT; unset is GET.
 * An empty params map counts as none.
 */
export function dynamicRequestMethod(
  method: DynamicRequestMethod | undefined,
  params: Readonly<Record<string, string>> | undefined,
): "GET" | "PUT" {
  if (params !== undefined && Object.keys(params).length > 0) return "PUT";
  return method === "POST" || method === "PUT" ? "PUT" : "GET";
}

export interface DynamicSecretRequest {
  mount: string;
  /** Relative to the mount, e.g. `creds/app`. */
  path: string;
  method?: DynamicRequestMethod | undefined;
  params?: Readonly<Record<string, string>> | undefined;
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface DynamicSecret {
  requestId: string;
  /** Empty for static roles and anything else without a lease. */
  leaseId: string;
  leaseDurationSeconds: number;
  renewable: boolean;
  /** The response `.data`, numbers exact; `{}` when Vault sent none. */
  data: Record<string, GoJsonValue>;
  warnings: string[];
}

/** `GET <mount>/<path>`, or `PUT` with the params as body (see dynamicRequestMethod). */
export async function requestDynamicSecret(
  sender: VaultSender,
  request: DynamicSecretRequest,
): Promise<DynamicSecret> {
  const path = joinPath(request.mount, request.path);
  const method = dynamicRequestMethod(request.method, request.params);
  const res = await sender.send<VaultSecretResponse<Record<string, GoJsonValue>> | undefined>({
    method,
    path,
    ...(method === "PUT" ? { body: { ...(request.params ?? {}) } } : {}),
    namespace: request.namespace,
    // A GET of creds/ also mints credentials, but a lost response leaves only a lease that expires;
    // a PUT may create something that does not (a token, a role), so it is never repeated here.
    idempotent: method === "GET",
    parseBody: parseJsonKeepingNumbers,
    signal: request.signal,
  });
  const body = res.body;
  if (body === undefined || typeof body !== "object" || body === null) {
    throw new VaultError({
      reason: "UnexpectedResponse",
      method,
      path,
      message: `${method} ${path}: Vault returned no secret`,
    });
  }
  const data = body.data;
  return {
    requestId: body.request_id ?? "",
    leaseId: body.lease_id ?? "",
    leaseDurationSeconds: Number(body.lease_duration ?? 0),
    renewable: body.renewable ?? false,
    data: data !== null && typeof data === "object" && !Array.isArray(data) ? data : {},
    warnings: body.warnings ?? [],
  };
}

/** Rotation data of a static role (database, ldap), as VaultDynamicSecret's status holds it. */
export interface StaticCredsMetadata {
  /** Unix seconds; 0 when absent. */
  lastVaultRotation: number;
  /** Seconds; 0 when absent (schedule-based roles). */
  rotationPeriod: number;
  /** Cron expression; "" when absent. */
  rotationSchedule: string;
  /** Seconds until the next rotation. */
  ttl: number;
}

export class StaticCredsMetadataError extends Error {
  override readonly name = "StaticCredsMetadataError";
}

/**
 * Reads `last_vault_rotation` (RFC 3339), `rotation_period`, `rotation_schedule` and `ttl` from a
 * response's data. Absent fields are zero; present ones of the wrong type are an error, as in VSO.
 */
export function staticCredsMetadata(data: Readonly<Record<string, GoJsonValue>>): StaticCredsMetadata {
  const meta: StaticCredsMetadata = { lastVaultRotation: 0, rotationPeriod: 0, rotationSchedule: "", ttl: 0 };
  const rotation = data.last_vault_rotation;
  if (rotation !== undefined && rotation !== null) {
    if (typeof rotation !== "string") throw new StaticCredsMetadataError("invalid last_vault_rotation");
    meta.lastVaultRotation = unixSecondsOfRfc3339(rotation);
  }
  const period = data.rotation_period;
  if (period !== undefined && period !== null) meta.rotationPeriod = integer(period, "rotation_period");
  const schedule = data.rotation_schedule;
  if (typeof schedule === "string") meta.rotationSchedule = schedule;
  const ttl = data.ttl;
  if (ttl !== undefined && ttl !== null) meta.ttl = integer(ttl, "ttl");
  return meta;
}

/**
 * VSO's test for static-role semantics: a rotation happened and another is planned. Database and
 * ldap engines rotate at most every 5 s, so a period of at least 1 s is a real one.
 */
export function isStaticCreds(meta: StaticCredsMetadata): boolean {
  return meta.lastVaultRotation > 0 && (meta.rotationPeriod >= 1 || meta.rotationSchedule !== "");
}

function integer(value: GoJsonValue, field: string): number {
  const text = value instanceof JsonNumber ? value.source : typeof value === "number" ? String(value) : "";
  if (!/^-?[0-9]+$/.test(text)) throw new StaticCredsMetadataError(`invalid ${field}`);
  return Number(text);
}

/** Go's time.Time.Unix(): whole seconds, the fraction dropped (Date.parse keeps only milliseconds). */
function unixSecondsOfRfc3339(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  const ms = match === null ? Number.NaN : Date.parse(`${match[1]}${match[2]?.toUpperCase()}`);
  if (Number.isNaN(ms)) throw new StaticCredsMetadataError("invalid last_vault_rotation");
  return Math.floor(ms / 1000);
}
