// The environment's own certificate authorities and keys, made with openssl for every `up`:
// nothing is shared between environments and nothing is checked in.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  dir: string;
  /** Signs the kube-apiserver serving certificate. */
  kubeCa: string;
  apiserverCert: string;
  apiserverKey: string;
  /** Client CA of the apiserver, and the admin (system:masters) client certificate. */
  kubeClientCa: string;
  adminCert: string;
  adminKey: string;
  /** Service-account signing pair, shared with Vault's jwt auth. */
  saKey: string;
  saPub: string;
  /** Signs OpenBao's TLS serving certificate. */
  vaultCa: string;
  vaultCert: string;
  vaultKey: string;
  /** The CA the mTLS listener trusts, and a client certificate it accepts. */
  vaultClientCa: string;
  vaultClientCert: string;
  vaultClientKey: string;
  /** A client certificate from a CA the mTLS listener does not trust. */
  strangerCert: string;
  strangerKey: string;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "7",
    "-subj",
    `/CN=${cn}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
  );
}

function makeLeaf(
  dir: string,
  name: string,
  caName: string,
  subject: string,
  extensions: readonly string[],
): void {
  openssl(
    dir,
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-subj",
    subject,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
  );
  writeFileSync(join(dir, `${name}.ext`), `${extensions.join("\n")}\n`);
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${caName}.crt`,
    "-CAkey",
    `${caName}.key`,
    "-CAcreateserial",
    "-days",
    "7",
    "-out",
    `${name}.crt`,
    "-extfile",
    `${name}.ext`,
  );
}

const server = ["extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature,keyEncipherment"];
const client = ["extendedKeyUsage=clientAuth", "keyUsage=critical,digitalSignature,keyEncipherment"];

export function createPki(runDir: string): Pki {
  const dir = join(runDir, "pki");
  mkdirSync(dir, { recursive: true });
  makeCa(dir, "kube-ca", "keyport-testenv-kube-ca");
  makeLeaf(dir, "apiserver", "kube-ca", "/CN=kube-apiserver", [
    "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default.svc",
    ...server,
  ]);
  makeCa(dir, "kube-client-ca", "keyport-testenv-kube-client-ca");
  makeLeaf(dir, "admin", "kube-client-ca", "/O=system:masters/CN=testenv-admin", client);
  // RSA for the service-account signer: RS256 is the algorithm every JWT consumer accepts.
  openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key");
  openssl(dir, "pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
  makeCa(dir, "vault-ca", "keyport-testenv-vault-ca");
  makeLeaf(dir, "vault", "vault-ca", "/CN=vault.testenv.local", [
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:vault.testenv.local",
    ...server,
  ]);
  makeCa(dir, "vault-client-ca", "keyport-testenv-vault-client-ca");
  makeLeaf(dir, "vault-client", "vault-client-ca", "/CN=keyport", client);
  makeCa(dir, "stranger-ca", "keyport-testenv-stranger-ca");
  makeLeaf(dir, "stranger", "stranger-ca", "/CN=stranger", client);
  const f = (name: string) => join(dir, name);
  return {
    dir,
    kubeCa: f("kube-ca.crt"),
    apiserverCert: f("apiserver.crt"),
    apiserverKey: f("apiserver.key"),
    kubeClientCa: f("kube-client-ca.crt"),
    adminCert: f("admin.crt"),
    adminKey: f("admin.key"),
    saKey: f("sa.key"),
    saPub: f("sa.pub"),
    vaultCa: f("vault-ca.crt"),
    vaultCert: f("vault.crt"),
    vaultKey: f("vault.key"),
    vaultClientCa: f("vault-client-ca.crt"),
    vaultClientCert: f("vault-client.crt"),
    vaultClientKey: f("vault-client.key"),
    strangerCert: f("stranger.crt"),
    strangerKey: f("stranger.key"),
  };
}
