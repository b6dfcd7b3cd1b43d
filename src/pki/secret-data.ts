// The destination Secret's data for a certificate, byte for byte as VSO v1.4.1 writes it, so that a
// Secret VSO wrote keeps its HMAC under Keyport and nothing is rewritten on migration:
//   * every field of Vault's response data: strings as they are, anything else Go-JSON-encoded
//     (`expiration` is the unix seconds as digits; OpenBao also sends `not_before`);
//   * `ca_chain` as its PEMs joined with "\n" ("" when the chain is empty);
//   * `_raw`: Vault's response data, Go-encoded, unchanged — in sign mode it has no private key,
//     because Vault never saw one;
//   * for `kubernetes.io/tls` without templates: `tls.crt` = certificate + "\n" + the chain (or
//     issuing_ca when the chain is empty), `tls.key` = private_key, and `ca.crt` = issuing_ca only
//     when the chain is empty. That last rule is VSO's quirk; `caCrt: "always"` writes ca.crt from
//     issuing_ca in every case, for destinations that opt in (it changes the HMAC).
// In sign mode `private_key` and `private_key_type` come from the key generated in the cluster.
//
// Keyport's opt-in `chainLayout: Predictable` (cert-manager's layout) replaces the tls.* rules:
// `tls.crt` = the certificate and its intermediates, never a root; `ca.crt` = the root CA the chain
// ends at (see chain.ts for how it is found); `tls.key` = the key as PEM — for every destination type,
// whatever Vault's role returns. Unset, nothing here changes and a VSO Secret keeps its HMAC.

import type { ChainLayout } from "../api/vault-pki-secret.ts";
import type { GoJsonValue } from "../sync/go-json.ts";
import { buildSecretData, type FieldFilter, type SecretBytes } from "../sync/secret-data.ts";
import type { PkiCertificate } from "../vault/engines/pki.ts";
import { certificatePem, type ResolvedChain } from "./chain.ts";
import { readPrivateKey } from "./keys.ts";

export const tlsSecretType = "kubernetes.io/tls";

/** A key Keyport generated and had Vault sign (sign mode). */
export interface SignedKey {
  /** As encodePrivateKey wrote it. */
  privateKey: string;
  /** Vault's name for the type: `rsa`, `ec` or `ed25519`. */
  privateKeyType: string;
}

export interface PkiSecretDataOptions {
  /** The destination's `type`; `kubernetes.io/tls` adds tls.crt, tls.key and maybe ca.crt. */
  destinationType?: string | undefined;
  /** Templates are in use: VSO then writes no tls.* keys, the templates decide. */
  templated?: boolean | undefined;
  /** The transformation's includes, excludes and excludeRaw. */
  filter?: FieldFilter | undefined;
  /** Sign mode: the key that goes into private_key and tls.key. */
  signedKey?: SignedKey | undefined;
  /** "vso" (default): ca.crt only when the chain is empty. "always": ca.crt = issuing_ca in every case. */
  caCrt?: "vso" | "always" | undefined;
  /** Keyport's `chainLayout`; Predictable needs `chain`. */
  chainLayout?: ChainLayout | undefined;
  /** The certificate's chain up to its root (resolveChain). */
  chain?: ResolvedChain | undefined;
}

/** The full data for a certificate when no templates are rendered (see the file comment). */
export function pkiSecretData(cert: PkiCertificate, options: PkiSecretDataOptions = {}): SecretBytes {
  const data = withCaChainJoined(
    buildSecretData(pkiSecretFields(cert, options.signedKey), cert.raw, options.filter ?? {}),
    cert,
  );
  if (options.templated) return data;
  if (options.chainLayout === "Predictable") {
    if (options.chain === undefined) throw new Error("pkiSecretData: the Predictable layout needs the chain");
    return predictableTlsData(data, options.chain, options.signedKey?.privateKey ?? cert.private_key);
  }
  if (options.destinationType === tlsSecretType) return tlsSecretData(data, options.caCrt ?? "vso");
  return data;
}

/**
 * `chainLayout: Predictable`: tls.crt = leaf + intermediates (PEM), ca.crt = the root (PEM), tls.key =
 * the private key (as given when PEM, converted to PKCS#8 PEM when Vault returned DER). Added to the
 * other keys whatever the filters keep, so these three are always there.
 */
export function predictableTlsData(
  data: SecretBytes,
  chain: ResolvedChain,
  privateKey: string | undefined,
): SecretBytes {
  const out: SecretBytes = { ...data };
  out["tls.crt"] = Buffer.from([chain.leaf, ...chain.intermediates].map(certificatePem).join(""));
  if (privateKey !== undefined && privateKey !== "") out["tls.key"] = Buffer.from(privateKeyPem(privateKey));
  out["ca.crt"] = Buffer.from(certificatePem(chain.root));
  return out;
}

function privateKeyPem(text: string): string {
  if (text.includes("-----BEGIN")) return text;
  return readPrivateKey(text).export({ type: "pkcs8", format: "pem" }) as string;
}

/**
 * The source fields: Vault's response data, plus the generated key in sign mode. Templates see these
 * as `.Secrets`.
 */
export function pkiSecretFields(cert: PkiCertificate, signedKey?: SignedKey): Record<string, GoJsonValue> {
  if (signedKey === undefined) return { ...cert.raw };
  return { ...cert.raw, private_key: signedKey.privateKey, private_key_type: signedKey.privateKeyType };
}

/**
 * VSO's fix-up after rendering: a `ca_chain` key (the Go-encoded list, or a template's output) is
 * replaced by the chain's PEMs joined with "\n". Absent stays absent.
 */
export function withCaChainJoined(data: SecretBytes, cert: PkiCertificate): SecretBytes {
  const current = data.ca_chain;
  if (current === undefined || current.length === 0) return data;
  return { ...data, ca_chain: Buffer.from(cert.ca_chain.join("\n")) };
}

/** Adds tls.crt, tls.key and (see caCrt) ca.crt from the certificate's data keys. */
export function tlsSecretData(data: SecretBytes, caCrt: "vso" | "always" = "vso"): SecretBytes {
  const out: SecretBytes = { ...data };
  const chain = nonEmpty(data.ca_chain);
  const issuing = nonEmpty(data.issuing_ca);
  if (data.private_key !== undefined) out["tls.key"] = data.private_key;
  if (chain === undefined && issuing !== undefined) out["ca.crt"] = issuing;
  else if (caCrt === "always" && issuing !== undefined) out["ca.crt"] = issuing;
  if (data.certificate !== undefined) {
    // The chain already includes the issuing CA; issuing_ca stands in only when there is no chain.
    const ca = chain ?? issuing;
    out["tls.crt"] = ca === undefined ? data.certificate : Buffer.concat([data.certificate, newline, ca]);
  }
  return out;
}

const newline = Buffer.from("\n");

function nonEmpty(value: Uint8Array | undefined): Uint8Array | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}
