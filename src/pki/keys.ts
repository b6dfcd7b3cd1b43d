// Private keys generated in the cluster for sign mode. Generation uses node:crypto's callback
// `generateKeyPair`, which runs on libuv's threadpool: an RSA-4096 key takes about a second of CPU,
// and spending it on the event loop would stall every other reconcile and the watch streams.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import {
  type PrivateKey,
  type PrivateKeyAlgorithm,
  type PrivateKeyEncoding,
  privateKeyEncoding,
  privateKeySize,
} from "../api/vault-pki-secret.ts";

/** The key an in-cluster certificate uses, with the facts Vault's role checks. */
export interface GeneratedKey {
  algorithm: PrivateKeyAlgorithm;
  /** RSA modulus bits or ECDSA curve bits; undefined for Ed25519. */
  size: number | undefined;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface KeySpec {
  algorithm: PrivateKeyAlgorithm;
  /** Defaults as the API does: RSA 2048, ECDSA 256. Ignored for Ed25519. */
  size?: number | undefined;
}

/** Bad input (an unsupported size or encoding), reported as a condition rather than retried. */
export class UnsupportedKeyError extends Error {
  override readonly name = "UnsupportedKeyError";
  readonly reason = "UnsupportedPrivateKey";
}

export const supportedRsaSizes: readonly number[] = [2048, 3072, 4096, 8192];

/**
 * NIST curves by size, with the names WebCrypto and OpenSSL use. P-224 is missing on purpose:
 * WebCrypto cannot sign with it, so no CSR could be built for it (Vault still issues P-224 keys).
 */
const curves: Readonly<Record<number, { webcrypto: string; openssl: string }>> = {
  256: { webcrypto: "P-256", openssl: "prime256v1" },
  384: { webcrypto: "P-384", openssl: "secp384r1" },
  521: { webcrypto: "P-521", openssl: "secp521r1" },
};

/** The API's PrivateKey (defaults applied) as a KeySpec. */
export function keySpecOf(key: PrivateKey): KeySpec {
  return { algorithm: key.algorithm, size: privateKeySize(key) };
}

/** Generates a key pair off the event loop. */
export async function generatePrivateKey(spec: KeySpec): Promise<GeneratedKey> {
  const resolved = resolve(spec);
  const pair = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>((ok, fail) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error === null ? ok({ publicKey, privateKey }) : fail(error);
    switch (resolved.algorithm) {
      case "RSA":
        generateKeyPair("rsa", { modulusLength: resolved.size as number, publicExponent: 0x10001 }, done);
        break;
      case "ECDSA":
        generateKeyPair("ec", { namedCurve: curveOf(resolved.size as number).openssl }, done);
        break;
      case "Ed25519":
        generateKeyPair("ed25519", {}, done);
        break;
    }
  });
  return { ...resolved, ...pair };
}

/** The curve's WebCrypto name (`P-256`…) for an ECDSA key. */
export function webcryptoCurve(key: GeneratedKey): string {
  return curveOf(key.size ?? 0).webcrypto;
}

/**
 * The private key as text. PKCS1 means "RSA PRIVATE KEY" for RSA and SEC 1 "EC PRIVATE KEY" for
 * ECDSA (what Vault's `der` private_key_format gives, and what cert-manager calls PKCS1); PKCS8 is
 * "PRIVATE KEY". `der` gives base64 DER, as Vault does for `format: der`. No trailing newline, like
 * Vault's PEM.
 */
export function encodePrivateKey(
  key: GeneratedKey,
  encoding: PrivateKeyEncoding,
  format: "pem" | "der" = "pem",
): string {
  if (encoding === "PKCS1" && key.algorithm === "Ed25519") {
    throw new UnsupportedKeyError("Ed25519 keys have no PKCS1 form: use encoding PKCS8");
  }
  const type = encoding === "PKCS8" ? "pkcs8" : key.algorithm === "RSA" ? "pkcs1" : "sec1";
  if (format === "der") return key.privateKey.export({ type, format: "der" }).toString("base64");
  return (key.privateKey.export({ type, format: "pem" }) as string).trimEnd();
}

/** encodePrivateKey with the API's encoding default (PKCS1, or PKCS8 for Ed25519). */
export function encodePrivateKeyForSpec(
  spec: PrivateKey,
  key: GeneratedKey,
  format: "pem" | "der" = "pem",
): string {
  return encodePrivateKey(key, privateKeyEncoding(spec), format);
}

/** Vault's `private_key_type` for the key: `rsa`, `ec` or `ed25519`. */
export function vaultPrivateKeyType(key: GeneratedKey): "rsa" | "ec" | "ed25519" {
  return key.algorithm === "RSA" ? "rsa" : key.algorithm === "ECDSA" ? "ec" : "ed25519";
}

/**
 * A key read back from a destination Secret (rotationPolicy Never), in any of the encodings above.
 * Throws UnsupportedKeyError for anything else; the message never includes the key.
 */
export function importPrivateKey(text: string): GeneratedKey {
  let privateKey: KeyObject;
  try {
    privateKey = text.includes("-----BEGIN")
      ? createPrivateKey({ key: text, format: "pem" })
      : importDer(Buffer.from(text, "base64"));
  } catch {
    throw new UnsupportedKeyError("the stored private key could not be parsed");
  }
  const publicKey = createPublicKey(privateKey);
  const details = privateKey.asymmetricKeyDetails ?? {};
  switch (privateKey.asymmetricKeyType) {
    case "rsa":
      return { algorithm: "RSA", size: details.modulusLength, privateKey, publicKey };
    case "ec": {
      const size = Object.entries(curves).find(([, c]) => c.openssl === details.namedCurve)?.[0];
      if (size === undefined) throw new UnsupportedKeyError(`unsupported EC curve ${details.namedCurve}`);
      return { algorithm: "ECDSA", size: Number(size), privateKey, publicKey };
    }
    case "ed25519":
      return { algorithm: "Ed25519", size: undefined, privateKey, publicKey };
    default:
      throw new UnsupportedKeyError(`unsupported key type ${privateKey.asymmetricKeyType}`);
  }
}

/** Whether a stored key still satisfies the spec, so that rotationPolicy Never may reuse it. */
export function keyMatchesSpec(key: GeneratedKey, spec: KeySpec): boolean {
  const wanted = resolve(spec);
  return key.algorithm === wanted.algorithm && key.size === wanted.size;
}

/**
 * Any private key Vault returns or Keyport generated — PEM, or base64 DER as `format: der` gives
 * it — as a KeyObject, whatever its algorithm or curve. The message never includes the key.
 */
export function readPrivateKey(text: string): KeyObject {
  try {
    return text.includes("-----BEGIN")
      ? createPrivateKey({ key: text, format: "pem" })
      : importDer(Buffer.from(text, "base64"));
  } catch {
    throw new UnsupportedKeyError("the private key could not be parsed");
  }
}

function importDer(der: Buffer): KeyObject {
  for (const type of ["pkcs8", "pkcs1", "sec1"] as const) {
    try {
      return createPrivateKey({ key: der, format: "der", type });
    } catch {
      // try the next encoding
    }
  }
  throw new UnsupportedKeyError("the stored private key could not be parsed");
}

function resolve(spec: KeySpec): { algorithm: PrivateKeyAlgorithm; size: number | undefined } {
  switch (spec.algorithm) {
    case "RSA": {
      const size = spec.size ?? 2048;
      if (!supportedRsaSizes.includes(size)) {
        throw new UnsupportedKeyError(`RSA keys must be ${supportedRsaSizes.join(", ")} bits, not ${size}`);
      }
      return { algorithm: "RSA", size };
    }
    case "ECDSA": {
      const size = spec.size ?? 256;
      curveOf(size);
      return { algorithm: "ECDSA", size };
    }
    case "Ed25519":
      return { algorithm: "Ed25519", size: undefined };
    default:
      throw new UnsupportedKeyError(`unsupported key algorithm ${String(spec.algorithm)}`);
  }
}

function curveOf(size: number): { webcrypto: string; openssl: string } {
  const curve = curves[size];
  if (curve === undefined) {
    throw new UnsupportedKeyError(
      `ECDSA keys generated in the cluster must be 256, 384 or 521 bits, not ${size}` +
        (size === 224
          ? " (P-224 has no WebCrypto support to sign the CSR; let Vault issue the key instead)"
          : ""),
    );
  }
  return curve;
}
