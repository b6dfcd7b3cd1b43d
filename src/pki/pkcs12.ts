// PKCS#12 keystores as cert-manager writes them (`keystores.pkcs12`): `keystore.p12` holds the
// private key, the certificate and its CA chain; `truststore.p12` holds only CA certificates, each
// marked as trusted for Java (the attribute keytool and the JDK look for, OpenSSL's `-jdktrust`).
//
// Encryption is cert-manager's `Modern2023` profile: the key bag is PBES2 (PBKDF2 with HMAC-SHA-256,
// 2048 iterations, AES-256-CBC), the MAC is HMAC-SHA-256 over a PKCS#12-derived key; certificates
// are not encrypted (they are public). Readable by OpenSSL 1.1.1 and 3, Java 8u301 / 11.0.12 / 17+,
// .NET and Go's pkcs12 package.
//
// node-forge supplies the DER encoder, PBES2 and the PKCS#12 key derivation. Its `toPkcs12Asn1`
// itself is not used: it only takes RSA keys and RSA certificates, it has no bag attributes but
// friendlyName and localKeyId, and it hard-codes a SHA-1 MAC. Salts and IVs are random, so two
// encodings of the same input differ: the controller renders a keystore only when it issues.
import { createHash, createPrivateKey, type KeyObject, randomBytes, type X509Certificate } from "node:crypto";
import forge from "node-forge";
import type { SecretBytes } from "../sync/secret-data.ts";
import type { ResolvedChain } from "./chain.ts";
import { readPrivateKey } from "./keys.ts";

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

/** Data keys, cert-manager's names. */
export const keystoreKey = "keystore.p12";
export const truststoreKey = "truststore.p12";

/** The alias Java sees for the key entry: cert-manager's default JKS alias. */
export const keystoreAlias = "certificate";

const iterations = 2048;
const saltBytes = 16;

const oid = {
  data: "1.2.840.113549.1.7.1",
  certBag: "1.2.840.113549.1.12.10.1.3",
  pkcs8ShroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
  sha256: "2.16.840.1.101.3.4.2.1",
  /** Oracle's "trusted key usage": a certificate Java's PKCS12 KeyStore loads as a trusted entry. */
  javaTrustedKeyUsage: "2.16.840.1.113894.746875.1.1",
  anyExtendedKeyUsage: "2.5.29.37.0",
} as const;

export interface KeystoreInput {
  /** The leaf first, then its CA certificates (intermediates, root). */
  certificates: readonly X509Certificate[];
  /** Any key node:crypto reads: PEM (PKCS#1, SEC 1, PKCS#8) or a KeyObject. */
  privateKey: string | KeyObject;
  password: string;
}

/**
 * The destination keys for `keystores.pkcs12`: keystore.p12 with the key, the certificate, its
 * intermediates and the root; truststore.p12 with the root (what `ca.crt` holds in the Predictable
 * layout). Both under the same password, as cert-manager does.
 */
export function pkcs12KeystoreData(chain: ResolvedChain, privateKey: string, password: string): SecretBytes {
  const certificates =
    chain.root === chain.leaf ? [chain.leaf] : [chain.leaf, ...chain.intermediates, chain.root];
  return {
    [keystoreKey]: pkcs12Keystore({ certificates, privateKey: readPrivateKey(privateKey), password }),
    [truststoreKey]: pkcs12Truststore([chain.root], password),
  };
}

/** `keystore.p12`: the key (encrypted) and the certificate chain, the key entry named `certificate`. */
export function pkcs12Keystore(input: KeystoreInput): Buffer {
  const [leaf] = input.certificates;
  if (leaf === undefined) throw new Error("pkcs12Keystore: no certificate");
  const key = typeof input.privateKey === "string" ? createPrivateKey(input.privateKey) : input.privateKey;
  const pkcs8 = key.export({ type: "pkcs8", format: "der" });
  // OpenSSL's convention, followed by Java: the key and its certificate share the SHA-1 of the certificate.
  const localKeyId = createHash("sha1").update(leaf.raw).digest();
  const keyAttributes = [friendlyName(keystoreAlias), localKeyIdAttribute(localKeyId)];
  const certBags = input.certificates.map((cert, i) => certBag(cert, i === 0 ? keyAttributes : []));
  const shrouded = forge.pki.encryptPrivateKeyInfo(asn1.fromDer(binary(pkcs8)), utf8(input.password), {
    algorithm: "aes256",
    prfAlgorithm: "sha256",
    count: iterations,
    saltSize: saltBytes,
  });
  const keyBag = safeBag(oid.pkcs8ShroudedKeyBag, shrouded, keyAttributes);
  return pfx([dataContentInfo(certBags), dataContentInfo([keyBag])], input.password);
}

/** `truststore.p12`: CA certificates only, aliases `ca`, `ca-1`, …, each trusted for any purpose. */
export function pkcs12Truststore(certificates: readonly X509Certificate[], password: string): Buffer {
  if (certificates.length === 0) throw new Error("pkcs12Truststore: no certificate");
  const bags = certificates.map((cert, i) =>
    certBag(cert, [
      friendlyName(i === 0 ? "ca" : `ca-${i}`),
      attribute(oid.javaTrustedKeyUsage, [objectId(oid.anyExtendedKeyUsage)]),
    ]),
  );
  return pfx([dataContentInfo(bags)], password);
}

// --- ASN.1 (RFC 7292) -----------------------------------------------------------------------------

function pfx(contents: Asn1[], password: string): Buffer {
  const authSafe = der(sequence(contents));
  const salt = randomBytes(saltBytes);
  const macKey = forge.pkcs12.generateKey(
    password,
    forge.util.createBuffer(binary(salt)),
    3, // ID 3: MAC key
    iterations,
    32,
    forge.md.sha256.create(),
  );
  const hmac = forge.hmac.create();
  hmac.start("sha256", macKey.getBytes());
  hmac.update(authSafe);
  const digest = hmac.digest().getBytes();
  const macData = sequence([
    sequence([
      sequence([objectId(oid.sha256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, "")]),
      octets(digest),
    ]),
    octets(binary(salt)),
    integer(iterations),
  ]);
  const outer = sequence([
    integer(3),
    sequence([objectId(oid.data), explicit0([octets(authSafe)])]),
    macData,
  ]);
  return Buffer.from(der(outer), "binary");
}

/** ContentInfo of type data wrapping SafeContents (the bags, unencrypted at this level). */
function dataContentInfo(bags: Asn1[]): Asn1 {
  return sequence([objectId(oid.data), explicit0([octets(der(sequence(bags)))])]);
}

function certBag(cert: X509Certificate, attributes: Asn1[]): Asn1 {
  const value = sequence([objectId(oid.x509Certificate), explicit0([octets(binary(cert.raw))])]);
  return safeBag(oid.certBag, value, attributes);
}

function safeBag(bagId: string, value: Asn1, attributes: Asn1[]): Asn1 {
  const fields = [objectId(bagId), explicit0([value])];
  if (attributes.length > 0) fields.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, attributes));
  return sequence(fields);
}

function friendlyName(name: string): Asn1 {
  // forge writes a BMPSTRING's value as UTF-16 code units itself.
  return attribute(oid.friendlyName, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, name)]);
}

function localKeyIdAttribute(id: Buffer): Asn1 {
  return attribute(oid.localKeyId, [octets(binary(id))]);
}

function attribute(type: string, values: Asn1[]): Asn1 {
  return sequence([objectId(type), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, values)]);
}

function sequence(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

function explicit0(items: Asn1[]): Asn1 {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, items);
}

function objectId(id: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
}

function octets(bytes: string): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
}

function integer(value: number): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

function der(node: Asn1): string {
  return asn1.toDer(node).getBytes();
}

/** forge's byte strings: one char per byte. */
function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("binary");
}

/** PBES2 derives the key from the password's UTF-8 bytes (the MAC uses its BMPString form). */
function utf8(text: string): string {
  return Buffer.from(text, "utf8").toString("binary");
}
