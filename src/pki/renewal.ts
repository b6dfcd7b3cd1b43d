// When a certificate is renewed, and what the status says about it.
//
// Two rules:
//   * expiryOffset set (VSO): renew at expiration − offset; with an offset of 0 that is the moment
//     the certificate expires. The requeue keeps VSO's jitter: up to 5 % of the wait is added when
//     the offset is positive (the check then lands inside the window), subtracted when it is 0 (the
//     check lands just before expiry and looks again).
//   * expiryOffset unset (Keyport's default, cert-manager's rule): renew when a third of the
//     lifetime remains, i.e. at two thirds of notBefore → notAfter; `renewBeforePercentage` moves
//     that point. The jitter here pulls the instant earlier by up to 5 % of the time to it, by a
//     fraction derived from the serial number: certificates issued together spread out, and the
//     instant is the same after a restart, so the controller wakes once, not repeatedly.
import { createHash, type KeyObject, X509Certificate } from "node:crypto";

/** Certificate validity in unix seconds. */
export interface CertificateLifetime {
  notBefore: number;
  notAfter: number;
  /** Seeds Keyport's jitter (any stable per-certificate string); none without it. */
  serialNumber?: string | undefined;
}

export interface RenewalPolicy {
  /** spec.expiryOffset in milliseconds, when set (also when set to 0). */
  expiryOffsetMs?: number | undefined;
  /** spec.renewBeforePercentage: renew when this much of the lifetime remains. */
  renewBeforePercentage?: number | undefined;
}

export interface RenewalPlan {
  /** Renew now. */
  due: boolean;
  /** The renewal instant, epoch milliseconds. */
  renewAt: number;
  /** When to look again if not renewing now; VSO's jittered horizon in expiryOffset mode. */
  requeueAfterMs: number;
}

/** A third of the lifetime remains: cert-manager's default, 2/3 through. */
export const defaultRenewBeforePercentage = 100 / 3;

/** VSO's minimum horizon: a renewal less than a second away is done now. */
export const minHorizonMs = 1_000;

/** VSO's PKI jitter: 5 % of the horizon. */
export const renewalJitterFraction = 0.05;

type Random = () => number;

/**
 * Decides whether the certificate must be renewed at `now` (epoch ms) and when to look next.
 * `random` is VSO's jitter source (expiryOffset mode only).
 */
export function planRenewal(
  now: number,
  lifetime: CertificateLifetime,
  policy: RenewalPolicy,
  random: Random = Math.random,
): RenewalPlan {
  if (policy.expiryOffsetMs !== undefined)
    return planWithOffset(now, lifetime, policy.expiryOffsetMs, random);
  const point = percentagePoint(lifetime, policy.renewBeforePercentage ?? defaultRenewBeforePercentage);
  // Measured from notBefore, not from now, so the instant does not move between calls.
  const lead = Math.max(0, point - lifetime.notBefore * 1000);
  const renewAt = Math.floor(
    point - renewalJitterFraction * lead * jitterFraction(lifetime.serialNumber ?? ""),
  );
  const wait = renewAt - now;
  return wait < minHorizonMs
    ? { due: true, renewAt, requeueAfterMs: 0 }
    : { due: false, renewAt, requeueAfterMs: wait };
}

/** The renewal instant before jitter, epoch ms: what a status or a metric may show. */
export function renewalPoint(lifetime: CertificateLifetime, policy: RenewalPolicy): number {
  if (policy.expiryOffsetMs !== undefined) return offsetPoint(lifetime, policy.expiryOffsetMs);
  return percentagePoint(lifetime, policy.renewBeforePercentage ?? defaultRenewBeforePercentage);
}

function planWithOffset(
  now: number,
  lifetime: CertificateLifetime,
  offsetMs: number,
  random: Random,
): RenewalPlan {
  const renewAt = offsetPoint(lifetime, offsetMs);
  let horizon = renewAt - now;
  const due = horizon < minHorizonMs;
  if (due) horizon = minHorizonMs;
  // VSO draws an integer number of nanoseconds below 5 % of the horizon; milliseconds suffice here.
  const jitter = Math.floor(random() * renewalJitterFraction * horizon);
  const positiveOffset = Math.trunc(offsetMs / 1000) > 0;
  return { due, renewAt, requeueAfterMs: positiveOffset || due ? horizon + jitter : horizon - jitter };
}

/** VSO computes in whole seconds: time.Unix(expiration − int64(offset.Seconds())). */
function offsetPoint(lifetime: CertificateLifetime, offsetMs: number): number {
  return (lifetime.notAfter - Math.trunc(offsetMs / 1000)) * 1000;
}

function percentagePoint(lifetime: CertificateLifetime, renewBeforePercentage: number): number {
  const span = (lifetime.notAfter - lifetime.notBefore) * 1000;
  return lifetime.notAfter * 1000 - (span * renewBeforePercentage) / 100;
}

/** A stable fraction in [0, 1) per certificate. */
function jitterFraction(serialNumber: string): number {
  if (serialNumber === "") return 0;
  return createHash("sha256").update(serialNumber).digest().readUInt32BE(0) / 2 ** 32;
}

/** What the status and the renewal need from a certificate. */
export interface CertificateFacts {
  /** Vault's form: lowercase hex byte pairs joined by colons, e.g. `3a:0f:…`. */
  serialNumber: string;
  /** Unix seconds. */
  notBefore: number;
  /** Unix seconds; VSO's `expiration`. */
  expiration: number;
  publicKey: KeyObject;
}

export class CertificateParseError extends Error {
  override readonly name = "CertificateParseError";
}

/**
 * Reads the leaf of a Vault `certificate` field: PEM (the first CERTIFICATE block, so pem_bundle
 * works) or base64 DER (`format: der`).
 */
export function certificateFacts(certificate: string | Uint8Array): CertificateFacts {
  const cert = parseLeaf(
    typeof certificate === "string" ? certificate : Buffer.from(certificate).toString("utf8"),
  );
  return {
    serialNumber: vaultSerialNumber(cert.serialNumber),
    notBefore: Math.floor(cert.validFromDate.getTime() / 1000),
    expiration: Math.floor(cert.validToDate.getTime() / 1000),
    publicKey: cert.publicKey,
  };
}

/** The lifetime for planRenewal, from a certificate. */
export function certificateLifetime(certificate: string | Uint8Array): CertificateLifetime {
  const facts = certificateFacts(certificate);
  return { notBefore: facts.notBefore, notAfter: facts.expiration, serialNumber: facts.serialNumber };
}

/** OpenSSL's uppercase hex serial as Vault writes it: `0A1B…` → `0a:1b:…`, no leading zero bytes. */
export function vaultSerialNumber(hex: string): string {
  let digits = hex.replace(/[^0-9a-fA-F]/g, "").toLowerCase();
  if (digits.length % 2 === 1) digits = `0${digits}`;
  while (digits.length > 2 && digits.startsWith("00")) digits = digits.slice(2);
  return digits.match(/../g)?.join(":") ?? "";
}

function parseLeaf(text: string): X509Certificate {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  try {
    return new X509Certificate(pem ?? Buffer.from(text.trim(), "base64"));
  } catch {
    throw new CertificateParseError("the certificate could not be parsed");
  }
}
