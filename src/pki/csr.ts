// The PKCS#10 request Keyport sends to `<mount>/sign/<role>` in sign mode.
//
// Where the certificate's names come from: Vault's sign endpoint takes the CN and the DNS, email,
// IP and URI SANs from the CSR when the role has `use_csr_common_name` / `use_csr_sans` (both
// default true), and from the request body otherwise. Keyport puts the spec's names in both, so the
// certificate matches the spec whatever the role says. Two exceptions, both body-only because
// Vault always reads the body for them: `other_sans` (Vault appends the CSR's to the body's, so
// listing them twice would duplicate them) and `user_ids` (the body wins over the CSR).
// The CN is not copied into the CSR's SANs: Vault adds it itself unless `exclude_cn_from_sans`.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { domainToASCII } from "node:url";
import * as x509 from "@peculiar/x509";
import { type GeneratedKey, webcryptoCurve } from "./keys.ts";

export interface CsrNames {
  commonName?: string | undefined;
  /** DNS names and email addresses (those containing `@`), as VaultPKISecret's altNames. */
  altNames?: readonly string[] | undefined;
  ipSans?: readonly string[] | undefined;
  uriSans?: readonly string[] | undefined;
}

/** A PEM `CERTIFICATE REQUEST` for `key`, signed with it. */
export async function createCsr(key: GeneratedKey, names: CsrNames): Promise<string> {
  const { keyAlgorithm, signingAlgorithm } = algorithmsFor(key);
  const keys: webcrypto.CryptoKeyPair = {
    privateKey: key.privateKey.toCryptoKey(keyAlgorithm, false, ["sign"]),
    publicKey: key.publicKey.toCryptoKey(keyAlgorithm, true, ["verify"]),
  };
  const sans = subjectAltNames(names);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: names.commonName === undefined || names.commonName === "" ? [] : [{ CN: [names.commonName] }],
      keys,
      signingAlgorithm,
      extensions: sans.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(sans)],
    },
    // Node's WebCrypto, passed explicitly rather than installed as @peculiar/x509's global provider.
    webcrypto,
  );
  return csr.toString("pem");
}

/** The SAN entries the CSR carries, in the spec's order: DNS/email, then IP, then URI. */
export function subjectAltNames(names: CsrNames): x509.JsonGeneralName[] {
  const out: x509.JsonGeneralName[] = [];
  for (const name of names.altNames ?? []) {
    if (name === "") continue;
    // Vault's own split: anything with an @ is an email address.
    if (name.includes("@")) out.push({ type: "email", value: name });
    else out.push({ type: "dns", value: asciiDomain(name) });
  }
  for (const ip of names.ipSans ?? []) if (ip !== "") out.push({ type: "ip", value: ip });
  for (const uri of names.uriSans ?? []) if (uri !== "") out.push({ type: "url", value: uri });
  return out;
}

/** dNSName is IA5: internationalized names go in their punycode form, as Vault converts them. */
function asciiDomain(name: string): string {
  if (!/[^\p{ASCII}]/u.test(name)) return name;
  const ascii = domainToASCII(name);
  return ascii === "" ? name : ascii;
}

type KeyAlgorithm = webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
type SigningAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;

function algorithmsFor(key: GeneratedKey): {
  keyAlgorithm: KeyAlgorithm;
  signingAlgorithm: SigningAlgorithm;
} {
  switch (key.algorithm) {
    case "RSA":
      return {
        keyAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        // @peculiar/x509 reads the hash from the signing algorithm for RSA too.
        signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as webcrypto.Algorithm,
      };
    case "ECDSA": {
      const namedCurve = webcryptoCurve(key);
      // The hash that matches the curve's strength, as cert-manager chooses it.
      const hash = namedCurve === "P-521" ? "SHA-512" : namedCurve === "P-384" ? "SHA-384" : "SHA-256";
      return { keyAlgorithm: { name: "ECDSA", namedCurve }, signingAlgorithm: { name: "ECDSA", hash } };
    }
    case "Ed25519":
      return { keyAlgorithm: { name: "Ed25519" }, signingAlgorithm: { name: "Ed25519" } };
  }
}
