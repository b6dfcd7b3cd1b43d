// The certificate chain of an issued certificate, ordered and completed up to its root: the input of
// the predictable layout (`chainLayout: Predictable`) and of the PKCS#12 keystores.
//
// Keyport asks Vault to leave the root out of `ca_chain` (`remove_roots_from_chain`, as VSO), and
// what a role returns varies with the mount: an intermediate mount may hold its root or not, a root
// mount's chain is empty, `format: pem_bundle` puts CA certificates into `certificate`. So the
// chain is rebuilt from signatures, not positions: starting at the leaf, each certificate's parent
// is the one whose subject is its issuer and whose key verifies its signature, until a
// self-signed certificate (the root) is reached. Parents are looked for in the response first, then
// in the mount's issuers, fetched lazily batch by batch (see `CertificateSource`), so the common case
// costs one extra Vault read, a root mount none.
import { createHash, X509Certificate } from "node:crypto";

export interface ResolvedChain {
  leaf: X509Certificate;
  /** Leaf's issuer first, up to (not including) the root; empty when a root issued the leaf. */
  intermediates: X509Certificate[];
  root: X509Certificate;
}

/** A batch of further candidate certificates (PEM), fetched only when the previous ones did not suffice. */
export type CertificateSource = () => Promise<readonly string[]>;

/** Why no chain could be built. Not retried: the mount's contents have to change first. */
export class ChainError extends Error {
  readonly reason = "SecretDataBuilderError";
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const maxDepth = 10;

/**
 * The certificates in a response field: PEM blocks (`pem`, `pem_bundle`), or one base64 DER
 * certificate (`format: der`). Anything else, such as a private key in a bundle, is skipped.
 */
export function parseCertificates(text: string): X509Certificate[] {
  const blocks = text.match(pemBlock);
  if (blocks !== null) return blocks.map((pem) => new X509Certificate(pem));
  const trimmed = text.trim();
  if (trimmed === "" || !/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) return [];
  try {
    return [new X509Certificate(Buffer.from(trimmed, "base64"))];
  } catch {
    return [];
  }
}

/** Self-issued and verified by its own key. */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

function issuedBy(cert: X509Certificate, parent: X509Certificate): boolean {
  return cert.checkIssued(parent) && cert.verify(parent.publicKey);
}

/** PEM with a trailing newline, whatever the input encoding was. */
export function certificatePem(cert: X509Certificate): string {
  const pem = cert.toString();
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

function fingerprint(cert: X509Certificate): string {
  return createHash("sha256").update(cert.raw).digest("hex");
}

/**
 * Orders `leafText`'s chain up to its root. `known` are the certificates Vault returned with it
 * (`certificate`, `ca_chain`, `issuing_ca`); `sources` are asked in turn only while a parent is
 * missing. Throws ChainError when no root can be reached.
 */
export async function resolveChain(
  leafText: string,
  known: readonly string[],
  sources: readonly CertificateSource[] = [],
): Promise<ResolvedChain> {
  const [leaf, ...extra] = parseCertificates(leafText);
  if (leaf === undefined) throw new ChainError("the issued certificate could not be parsed");
  const pool = new Map<string, X509Certificate>();
  const add = (certs: readonly X509Certificate[]) => {
    for (const cert of certs) if (!pool.has(fingerprint(cert))) pool.set(fingerprint(cert), cert);
  };
  add(extra);
  for (const text of known) add(parseCertificates(text));
  const pending = [...sources];
  const chain: X509Certificate[] = [leaf];
  const seen = new Set([fingerprint(leaf)]);
  let current = leaf;
  while (!isSelfSigned(current)) {
    if (chain.length > maxDepth) throw new ChainError(`the chain is longer than ${maxDepth} certificates`);
    let parent = findParent(current, pool, seen);
    while (parent === undefined) {
      const source = pending.shift();
      if (source === undefined) {
        throw new ChainError(
          `no root CA found for "${current.issuer.replaceAll("\n", ", ")}": neither Vault's response nor ` +
            "the mount's issuers hold the certificate that signed " +
            `"${current.subject.replaceAll("\n", ", ")}". Import the root into the mount ` +
            "(<mount>/issuers/import/cert, or set-signed with the whole bundle)",
        );
      }
      for (const text of await source()) add(parseCertificates(text));
      parent = findParent(current, pool, seen);
    }
    chain.push(parent);
    seen.add(fingerprint(parent));
    current = parent;
  }
  if (chain.length === 1) {
    // A self-signed leaf: nothing issued it but itself.
    return { leaf, intermediates: [], root: leaf };
  }
  return { leaf, intermediates: chain.slice(1, -1), root: current };
}

/**
 * The certificate that signed `cert`. With several candidates (a cross-signed intermediate next to
 * the self-signed original share a subject and key), a self-signed one wins: the chain ends there.
 */
function findParent(
  cert: X509Certificate,
  pool: Map<string, X509Certificate>,
  seen: Set<string>,
): X509Certificate | undefined {
  let found: X509Certificate | undefined;
  for (const [print, candidate] of pool) {
    if (seen.has(print) || !issuedBy(cert, candidate)) continue;
    if (isSelfSigned(candidate)) return candidate;
    found ??= candidate;
  }
  return found;
}
