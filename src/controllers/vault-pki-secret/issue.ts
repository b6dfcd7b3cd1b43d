// Getting a certificate from Vault: issue mode (Vault makes the key, as VSO) or sign mode (Keyport
// makes the key and sends only a CSR — the private key never leaves the cluster).
import type { VaultPKISecretSpec } from "../../api/index.ts";
import {
  createCsr,
  encodePrivateKeyForSpec,
  type GeneratedKey,
  generatePrivateKey,
  importPrivateKey,
  keyMatchesSpec,
  keySpecOf,
  type SignedKey,
  vaultPrivateKeyType,
} from "../../pki/index.ts";
import {
  issueCertificate,
  type PkiCertificate,
  pkiRequestData,
  signCertificate,
  type VaultSender,
} from "../../vault/index.ts";

export interface Issued {
  certificate: PkiCertificate;
  /** Sign mode: the key we generated (or kept), encoded as the spec asks. */
  signedKey?: SignedKey;
}

/** The key a `rotationPolicy: Never` certificate keeps: the one already in the destination, if it fits. */
function existingKey(
  spec: VaultPKISecretSpec,
  live: Record<string, string> | undefined,
): GeneratedKey | undefined {
  if (spec.privateKey?.rotationPolicy !== "Never") return undefined;
  const encoded = live?.private_key ?? live?.["tls.key"];
  if (encoded === undefined) return undefined;
  try {
    const key = importPrivateKey(Buffer.from(encoded, "base64").toString("utf8"));
    return keyMatchesSpec(key, keySpecOf(spec.privateKey)) ? key : undefined;
  } catch {
    return undefined;
  }
}

export async function obtainCertificate(
  client: VaultSender,
  spec: VaultPKISecretSpec,
  live: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<Issued> {
  const where = { mount: spec.mount, role: spec.role, issuerRef: spec.issuerRef, signal };
  const data = pkiRequestData(spec);
  if (spec.privateKey === undefined) {
    return { certificate: await issueCertificate(client, { ...where, data }) };
  }
  const key = existingKey(spec, live) ?? (await generatePrivateKey(keySpecOf(spec.privateKey)));
  const csr = await createCsr(key, {
    commonName: spec.commonName,
    altNames: spec.altNames,
    ipSans: spec.ipSans,
    uriSans: spec.uriSans,
  });
  const certificate = await signCertificate(client, { ...where, data, csr });
  return {
    certificate,
    signedKey: {
      privateKey: encodePrivateKeyForSpec(spec.privateKey, key),
      privateKeyType: vaultPrivateKeyType(key),
    },
  };
}
