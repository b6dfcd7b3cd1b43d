// The Keyport outputs beyond VSO's layout: the chain up to the root (`chainLayout: Predictable`) and
// PKCS#12 keystores (`keystores.pkcs12`). Both are rendered only when a certificate is issued, so
// a keystore's random salts never cause a write on their own: drift is judged by the HMAC of the
// data as written, which status keeps.
import type { VaultPKISecretSpec } from "../../api/index.ts";
import { isNotFound } from "../../kube/errors.ts";
import { resourcePath, secrets } from "../../kube/resource.ts";
import { type CertificateSource, type ResolvedChain, resolveChain } from "../../pki/index.ts";
import { listIssuers, type PkiCertificate, readIssuerChain, type VaultSender } from "../../vault/index.ts";
import type { OperatorContext } from "../context.ts";

/** The keystore's password is unusable: reported as InvalidConfiguration, retried with backoff. */
export class KeystorePasswordError extends Error {
  readonly reason = "InvalidConfiguration";
}

/** Whether this spec needs the chain up to the root. */
export function needsChain(spec: VaultPKISecretSpec): boolean {
  return spec.chainLayout === "Predictable" || spec.keystores?.pkcs12?.create === true;
}

/**
 * The keystore password, read from its Secret (in the VaultPKISecret's namespace) at issue time,
 * before Vault is asked for anything. Undefined when no keystore is wanted. Errors name the Secret
 * and key, never the value.
 */
export async function keystorePassword(
  ctx: OperatorContext,
  namespace: string,
  spec: VaultPKISecretSpec,
): Promise<string | undefined> {
  const pkcs12 = spec.keystores?.pkcs12;
  if (pkcs12?.create !== true) return undefined;
  const { name, key } = pkcs12.passwordSecretRef;
  const where = `keystores.pkcs12.passwordSecretRef: Secret ${namespace}/${name}`;
  let secret: { data?: Record<string, string> } | undefined;
  try {
    secret = await ctx.kube.get<{ data?: Record<string, string> }>(
      resourcePath(secrets, { namespace, name }),
    );
  } catch (error) {
    if (isNotFound(error)) throw new KeystorePasswordError(`${where} does not exist`);
    throw error;
  }
  const encoded = secret?.data?.[key];
  if (encoded === undefined) throw new KeystorePasswordError(`${where} has no key ${JSON.stringify(key)}`);
  const password = Buffer.from(encoded, "base64").toString("utf8");
  if (password === "") throw new KeystorePasswordError(`${where}: key ${JSON.stringify(key)} is empty`);
  return password;
}

/**
 * The issued certificate's chain up to its root. Vault's response is searched first (the leaf,
 * `ca_chain`, `issuing_ca`); the root is usually missing because Keyport sends
 * `remove_roots_from_chain`. Then the mount: the chain of the issuer named in the spec (or the
 * mount's default issuer) — one unauthenticated read, enough whenever the role issues from that
 * issuer and the mount holds its root — and only if that is not enough, every issuer of the mount
 * (for a role whose `issuer_ref` is not the default, or a root held as a separate issuer).
 */
export async function certificateChain(
  client: VaultSender,
  spec: VaultPKISecretSpec,
  certificate: PkiCertificate,
  signal: AbortSignal,
): Promise<ResolvedChain> {
  const mount = { mount: spec.mount, signal };
  const issuerRef = spec.issuerRef || "default";
  const sources: CertificateSource[] = [
    () => readIssuerChain(client, { ...mount, issuerRef }),
    async () => {
      const ids = await listIssuers(client, mount);
      const chains = await Promise.all(ids.map((id) => readIssuerChain(client, { ...mount, issuerRef: id })));
      return chains.flat();
    },
  ];
  return resolveChain(certificate.certificate, [...certificate.ca_chain, certificate.issuing_ca], sources);
}
