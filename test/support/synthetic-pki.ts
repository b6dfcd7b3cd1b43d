// Certificate hierarchies made in memory for unit tests: roots, intermediates (also cross-signed)
// and leaves with RSA, ECDSA or Ed25519 keys, as PEM text and node:crypto objects.
import "reflect-metadata";
import { KeyObject, webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export type LeafAlgorithm = "RSA" | "ECDSA" | "Ed25519";

export interface SyntheticCert {
  pem: string;
  cert: X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  subject: string;
}

let serial = 1;

async function sign(
  subject: string,
  keys: webcrypto.CryptoKeyPair,
  issuer: { subject: string; keys: webcrypto.CryptoKeyPair } | undefined,
  ca: boolean,
): Promise<SyntheticCert> {
  const signer = issuer ?? { subject, keys };
  const now = Date.now();
  const generated = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, "0"),
    subject,
    issuer: signer.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: ecdsa,
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    extensions: ca
      ? [
          new x509.BasicConstraintsExtension(true, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        ]
      : [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const pem = generated.toString("pem");
  return { pem, cert: new X509Certificate(pem), keys, subject };
}

function caKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]) as Promise<webcrypto.CryptoKeyPair>;
}

/** A self-signed root, or an intermediate when `issuer` is given. */
export async function makeCa(name: string, issuer?: SyntheticCert): Promise<SyntheticCert> {
  return sign(`CN=${name}`, await caKeys(), issuer, true);
}

/** The same subject and key as `ca`, signed by `issuer` instead (a cross-signed certificate). */
export function crossSign(ca: SyntheticCert, issuer: SyntheticCert): Promise<SyntheticCert> {
  return sign(ca.subject, ca.keys, issuer, true);
}

export async function makeLeaf(
  name: string,
  issuer: SyntheticCert,
  algorithm: LeafAlgorithm = "ECDSA",
): Promise<SyntheticCert & { keyPem: string }> {
  const params =
    algorithm === "RSA"
      ? {
          name: "RSASSA-PKCS1-v1_5",
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: "SHA-256",
        }
      : algorithm === "ECDSA"
        ? ecdsa
        : { name: "Ed25519" };
  const keys = (await webcrypto.subtle.generateKey(params, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const leaf = await sign(`CN=${name}`, keys, issuer, false);
  // Vault's encodings: PKCS#1 for RSA, SEC 1 for EC, PKCS#8 for Ed25519.
  const key = KeyObject.from(keys.privateKey);
  const type = algorithm === "RSA" ? "pkcs1" : algorithm === "ECDSA" ? "sec1" : "pkcs8";
  return { ...leaf, keyPem: key.export({ type, format: "pem" }) as string };
}
