// PKI secrets engine: issue (Vault makes the key), sign (Vault signs our CSR), revoke. The request
// body carries every VaultPKISecret field under the name VSO v1.4.1 sends it as, with deliberate
// fixes: the issuer path includes `/issue/` (VSO 1.4.1 drops it and gets a 404); a `ttl` in days
// is sent as seconds because Vault's duration parser takes whole days only ("1d" works, "1.5d"
// does not, though the CRD allows it); unset fields are left out (see pkiRequestData).
//
// Bodies are parsed keeping number literals, because the response data becomes the `_raw` key and
// is HMACed: it must encode exactly as Go re-encodes it.
import { type GoJsonValue, JsonNumber, parseJsonKeepingNumbers } from "../../sync/go-json.ts";
import type { VaultSender } from "../client.ts";
import { VaultError } from "../errors.ts";
import { requireData, type VaultSecretResponse } from "../responses.ts";
import { kvPath as joinPath } from "./kv.ts";

/** The VaultPKISecret spec fields that shape the request (VaultPKISecretSpec satisfies it). */
export interface PkiRequestSpec {
  commonName?: string | undefined;
  altNames?: readonly string[] | undefined;
  ipSans?: readonly string[] | undefined;
  uriSans?: readonly string[] | undefined;
  otherSans?: readonly string[] | undefined;
  userIDs?: readonly string[] | undefined;
  ttl?: string | undefined;
  format?: string | undefined;
  privateKeyFormat?: string | undefined;
  notAfter?: string | undefined;
  excludeCNFromSans?: boolean | undefined;
}

export type PkiRequestData = Record<string, string | boolean | readonly string[]>;

/**
 * The body of `issue` (and, without `private_key_format`, of `sign`): the spec's fields under
 * Vault's names, plus `remove_roots_from_chain: true` always.
 *
 * VSO sends every field, empty when unset. Keyport leaves unset fields out, which Vault reads the
 * same way, because OpenBao (2.4) refuses an empty `not_after` ("parsing time \"\""): sent as VSO
 * sends it, no certificate could be issued from OpenBao at all.
 *
 * `alt_names` is a comma-joined string because Vault reads it as one. The other lists are sent as
 * JSON arrays: Vault's comma-string-slice fields take arrays as they are, so a URI or other SAN that
 * contains a comma survives, where VSO's comma-joining would split it. Without such a comma the
 * certificate is the same as VSO's.
 */
export function pkiRequestData(spec: PkiRequestSpec): PkiRequestData {
  const data: PkiRequestData = {};
  const text = (field: string, value: string | undefined) => {
    if (value !== undefined && value !== "") data[field] = value;
  };
  const list = (field: string, values: readonly string[] | undefined) => {
    if (values !== undefined && values.length > 0) data[field] = [...values];
  };
  text("common_name", spec.commonName);
  text("alt_names", (spec.altNames ?? []).join(","));
  list("ip_sans", spec.ipSans);
  list("uri_sans", spec.uriSans);
  list("other_sans", spec.otherSans);
  list("user_ids", spec.userIDs);
  text("ttl", vaultTtl(spec.ttl ?? ""));
  text("not_after", spec.notAfter);
  if (spec.excludeCNFromSans !== undefined) data.exclude_cn_from_sans = spec.excludeCNFromSans;
  // The chain in the Secret then ends at the intermediate: what a TLS server should present.
  data.remove_roots_from_chain = true;
  text("format", spec.format);
  text("private_key_format", spec.privateKeyFormat);
  return data;
}

/**
 * A VaultPKISecret `ttl` as Vault accepts it. Durations in s, m or h pass unchanged (Vault parses
 * them as Go does); days become whole seconds, so fractional days work too. Anything else is
 * passed through for Vault to judge.
 */
export function vaultTtl(ttl: string): string {
  const match = /^([0-9]+)(?:\.([0-9]+))?d$/.exec(ttl);
  if (match === null) return ttl;
  const whole = BigInt(match[1] ?? "0") * 86_400n;
  // Decimal arithmetic on the digits: 0.1 × 86400 in floating point is not 8640.
  const fraction = match[2] ?? "";
  const scale = 10n ** BigInt(fraction.length);
  const fractional = fraction === "" ? 0n : (BigInt(fraction) * 86_400n + scale / 2n) / scale;
  return `${whole + fractional}s`;
}

export interface PkiRoleLocation {
  /** Mount path of the PKI engine, e.g. `pki_int`. */
  mount: string;
  role: string;
  /** Issuer name or ID; the mount's default issuer when unset. */
  issuerRef?: string | undefined;
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** `<mount>/issue/<role>`, or `<mount>/issuer/<ref>/issue/<role>`. */
export function pkiIssuePath(mount: string, role: string, issuerRef?: string): string {
  return issuerRef === undefined || issuerRef === ""
    ? joinPath(mount, "issue", role)
    : joinPath(mount, "issuer", issuerRef, "issue", role);
}

/** `<mount>/sign/<role>`, or `<mount>/issuer/<ref>/sign/<role>`. */
export function pkiSignPath(mount: string, role: string, issuerRef?: string): string {
  return issuerRef === undefined || issuerRef === ""
    ? joinPath(mount, "sign", role)
    : joinPath(mount, "issuer", issuerRef, "sign", role);
}

/** What issue and sign return. Field names are Vault's. */
export interface PkiCertificate {
  /** PEM unless `format` asked for der (base64) or pem_bundle. */
  certificate: string;
  /** Issue only; never present for sign. */
  private_key?: string;
  /** `rsa`, `ec` or `ed25519`; issue only. */
  private_key_type?: string;
  issuing_ca: string;
  /** Without the root (remove_roots_from_chain); may be empty. */
  ca_chain: string[];
  /** Vault's colon-separated lowercase hex, e.g. `3a:0f:…`. */
  serial_number: string;
  /** Unix seconds of notAfter. */
  expiration: number;
  /** The response `.data` as Vault sent it, numbers exact: the source of `_raw` and of the data keys. */
  raw: Record<string, GoJsonValue>;
  warnings: string[];
}

/** `POST <mount>/issue/<role>`: Vault generates the key; the response carries it. */
export async function issueCertificate(
  sender: VaultSender,
  where: PkiRoleLocation & { data: PkiRequestData },
): Promise<PkiCertificate> {
  const path = pkiIssuePath(where.mount, where.role, where.issuerRef);
  return parseCertificate(await post(sender, path, where.data, where), `POST ${path}`);
}

/**
 * `POST <mount>/sign/<role>` with a PEM CSR. `data` is pkiRequestData(spec); `private_key_format`
 * is dropped because sign has no key to format.
 */
export async function signCertificate(
  sender: VaultSender,
  where: PkiRoleLocation & { data: PkiRequestData; csr: string },
): Promise<PkiCertificate> {
  const path = pkiSignPath(where.mount, where.role, where.issuerRef);
  const { private_key_format: _ignored, ...data } = where.data;
  return parseCertificate(await post(sender, path, { ...data, csr: where.csr }, where), `POST ${path}`);
}

export interface RevokedCertificate {
  /** Unix seconds; Vault reports the original time when the serial was already revoked. */
  revocationTime: number;
  warnings: string[];
}

/** `POST <mount>/revoke {serial_number}`. Repeating it is harmless, so it is retried like a read. */
export async function revokeCertificate(
  sender: VaultSender,
  where: {
    mount: string;
    serialNumber: string;
    namespace?: string | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<RevokedCertificate> {
  const path = joinPath(where.mount, "revoke");
  const res = await sender.send<VaultSecretResponse<{ revocation_time?: number }> | undefined>({
    method: "POST",
    path,
    body: { serial_number: where.serialNumber },
    namespace: where.namespace,
    idempotent: true,
    signal: where.signal,
  });
  return {
    revocationTime: Number(res.body?.data?.revocation_time ?? 0),
    warnings: res.body?.warnings ?? [],
  };
}

export interface PkiMountLocation {
  /** Mount path of the PKI engine, e.g. `pki_int`. */
  mount: string;
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * `GET <mount>/issuer/<ref>/json`: the issuer's certificate followed by its `ca_chain` (the issuer
 * itself, then every parent the mount holds, up to a root when the mount holds it). `ref` is an
 * issuer ID, name, or `default`. Unauthenticated in Vault (1.11+) and OpenBao: it needs no policy.
 */
export async function readIssuerChain(
  sender: VaultSender,
  where: PkiMountLocation & { issuerRef: string },
): Promise<string[]> {
  const path = joinPath(where.mount, "issuer", where.issuerRef, "json");
  const res = await sender.send<
    VaultSecretResponse<{ certificate?: unknown; ca_chain?: unknown }> | undefined
  >({ method: "GET", path, namespace: where.namespace, signal: where.signal });
  const data = requireData(res.body, `GET ${path}`);
  const chain = Array.isArray(data.ca_chain) ? data.ca_chain : [];
  return [data.certificate, ...chain].filter((pem): pem is string => typeof pem === "string" && pem !== "");
}

/** `LIST <mount>/issuers`: the IDs of every issuer in the mount (unauthenticated, like the above). */
export async function listIssuers(sender: VaultSender, where: PkiMountLocation): Promise<string[]> {
  const path = joinPath(where.mount, "issuers");
  const res = await sender.send<VaultSecretResponse<{ keys?: unknown }> | undefined>({
    method: "LIST",
    path,
    namespace: where.namespace,
    signal: where.signal,
  });
  const keys = res.body?.data?.keys;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
}

async function post(
  sender: VaultSender,
  path: string,
  body: Record<string, unknown>,
  where: PkiRoleLocation,
): Promise<VaultSecretResponse<Record<string, GoJsonValue>>> {
  const res = await sender.send<VaultSecretResponse<Record<string, GoJsonValue>> | undefined>({
    method: "POST",
    path,
    body,
    namespace: where.namespace,
    // A repeated issue mints a second certificate: leave retries to the controller's backoff.
    idempotent: false,
    parseBody: parseJsonKeepingNumbers,
    signal: where.signal,
  });
  return res.body ?? {};
}

/**
 * A certificate as its response data was kept (a destination's `_raw`): the same checks as a fresh
 * response, so a record that does not hold a certificate is refused rather than half-used.
 */
export function pkiCertificateFromData(data: Record<string, GoJsonValue>, what: string): PkiCertificate {
  return parseCertificate({ data } as VaultSecretResponse<Record<string, GoJsonValue>>, what);
}

function parseCertificate(
  res: VaultSecretResponse<Record<string, GoJsonValue>>,
  what: string,
): PkiCertificate {
  const raw = requireData(res, what);
  const certificate = raw.certificate;
  const serial = raw.serial_number;
  const expiration = raw.expiration;
  if (typeof certificate !== "string" || certificate === "" || typeof serial !== "string" || serial === "") {
    throw unexpected(what, "certificate and serial_number are required");
  }
  if (!(expiration instanceof JsonNumber || typeof expiration === "number")) {
    throw unexpected(what, "expiration is not a number");
  }
  const chain = raw.ca_chain ?? [];
  if (!Array.isArray(chain) || !chain.every((c) => typeof c === "string")) {
    throw unexpected(what, "ca_chain is not a list of strings");
  }
  const cert: PkiCertificate = {
    certificate,
    issuing_ca: typeof raw.issuing_ca === "string" ? raw.issuing_ca : "",
    ca_chain: chain as string[],
    serial_number: serial,
    expiration: Number(expiration),
    raw,
    warnings: res.warnings ?? [],
  };
  if (typeof raw.private_key === "string") cert.private_key = raw.private_key;
  if (typeof raw.private_key_type === "string") cert.private_key_type = raw.private_key_type;
  return cert;
}

function unexpected(what: string, detail: string): VaultError {
  // Names the fields only: the response holds a private key.
  return new VaultError({
    reason: "UnexpectedResponse",
    message: `${what}: unexpected response (${detail})`,
  });
}
