// VaultPKISecret's Keyport outputs against the real OpenBao PKI (pki_int, an intermediate under the
// root mount pki): PKCS#12 keystores opened with OpenSSL, the Predictable chain layout checked
// against the root, and the default layout left exactly as VSO writes it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  createNamespace,
  defaultConnectionAndAuth,
  getJson,
  installCrds,
  type KeyportProcess,
  kubectl,
  kubernetesRole,
  type SecretView,
  secretText,
  sleep,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";

const opNs = uniqueName("keyport");
const app = uniqueName("app");
const role = uniqueName("role");
const password = "p12-Integration secret!";
let keyport: KeyportProcess;
let rootCa: X509Certificate;
let dir: string;

interface VpsView {
  status?: {
    serialNumber?: string;
    valid?: boolean;
    error?: string;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

function vps(name: string, spec: string): string {
  return `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultPKISecret
metadata: {name: ${name}, namespace: ${app}}
spec:
  mount: pki_int
  role: example-dot-com
${spec
  .trim()
  .split("\n")
  .map((l) => `  ${l}`)
  .join("\n")}
`;
}

function passwordSecret(name: string, value: string): string {
  return `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${app}}
stringData: {password: ${JSON.stringify(value)}}
`;
}

function pems(bundle: string): X509Certificate[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p),
  );
}

let files = 0;
/** `openssl pkcs12 -in … -passin pass:… -nodes`: the certificates and the key it holds. */
function openP12(
  base64: string | undefined,
  pass: string,
): { certs: X509Certificate[]; key?: string; ok: boolean } {
  assert.ok(base64, "the Secret has the PKCS#12 key");
  const path = join(dir, `${files++}.p12`);
  writeFileSync(path, Buffer.from(base64, "base64"));
  const run = spawnSync("openssl", ["pkcs12", "-in", path, "-passin", `pass:${pass}`, "-nodes"], {
    encoding: "utf8",
  });
  const key = run.stdout.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0];
  return { certs: pems(run.stdout), ok: run.status === 0, ...(key ? { key } : {}) };
}

function samePublicKey(a: string, b: string): boolean {
  const spki = (pem: string) =>
    createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" });
  return spki(a).equals(spki(b));
}

/**
 * The serial and the Secret's resourceVersion once neither has changed for two seconds. (A
 * just-created VaultPKISecret may be issued twice when a reconcile reads a cached copy from before
 * its first status write.)
 */
async function settle(name: string, secretName: string): Promise<{ serial: string; rv: string }> {
  const read = () => ({
    serial: getJson<VpsView>("vaultpkisecret", app, name)?.status?.serialNumber ?? "",
    rv: getJson<SecretView>("secret", app, secretName)?.metadata.resourceVersion ?? "",
  });
  return eventually(
    async () => {
      const first = read();
      await sleep(2000);
      const second = read();
      return first.serial !== "" && first.serial === second.serial && first.rv === second.rv
        ? second
        : undefined;
    },
    { timeoutMs: 30_000, message: `${name} settled` },
  );
}

/** How many certificates pki_int has issued so far. */
async function certificateCount(): Promise<number> {
  return ((await vault("GET", "pki_int/certs?list=true"))?.data?.keys as string[] | undefined)?.length ?? 0;
}

function condition(name: string, type = "SecretSynced") {
  return getJson<VpsView>("vaultpkisecret", app, name)?.status?.conditions?.find((c) => c.type === type);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyport-p12-it-"));
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));
  apply(passwordSecret("p12-password", password));
  rootCa = new X509Certificate((await vault("GET", "pki/cert/ca"))?.data?.certificate as string);
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
  rmSync(dir, { recursive: true, force: true });
});

describe("VaultPKISecret keystores and the Predictable chain", () => {
  test("keystore.p12 opens with the password and holds tls.key's leaf; ca.crt is the root; tls.crt chains to it", async () => {
    apply(
      vps(
        "java",
        `
commonName: java.example.com
ttl: 1h
chainLayout: Predictable
keystores:
  pkcs12: {create: true, passwordSecretRef: {name: p12-password, key: password}}
destination: {name: java-tls, create: true, type: kubernetes.io/tls}
`,
      ),
    );
    const secret = await waitForSecret(app, "java-tls", (d) => d["keystore.p12"] !== undefined);
    const data = secretText(secret) ?? {};

    // ca.crt: the root itself, self-signed, the one the root mount serves.
    const ca = pems(data["ca.crt"] ?? "");
    assert.equal(ca.length, 1);
    const root = ca[0] as X509Certificate;
    assert.ok(root.checkIssued(root) && root.verify(root.publicKey), "ca.crt is self-signed");
    assert.equal(root.fingerprint256, rootCa.fingerprint256, "ca.crt = GET pki/cert/ca");

    // tls.crt: leaf → intermediate, each signed by the next, the last by ca.crt; no root inside.
    const chain = pems(data["tls.crt"] ?? "");
    assert.equal(chain.length, 2, "leaf and intermediate");
    const [leaf, intermediate] = chain as [X509Certificate, X509Certificate];
    assert.match(leaf.subject, /CN=java\.example\.com/);
    assert.ok(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey), "leaf ← intermediate");
    assert.ok(intermediate.checkIssued(root) && intermediate.verify(root.publicKey), "intermediate ← root");
    assert.ok(!chain.some((c) => c.fingerprint256 === root.fingerprint256), "the root is not in tls.crt");
    assert.ok(leaf.checkPrivateKey(createPrivateKey(data["tls.key"] ?? "")), "tls.key is the leaf's");

    // keystore.p12: the password opens it; leaf, intermediate, root; the key is tls.key.
    const keystore = openP12(secret.data?.["keystore.p12"], password);
    assert.ok(keystore.ok, "openssl opens keystore.p12 with the password");
    assert.deepEqual(
      keystore.certs.map((c) => c.fingerprint256),
      [leaf, intermediate, root].map((c) => c.fingerprint256),
    );
    assert.ok(keystore.key, "keystore.p12 holds a key");
    assert.ok(samePublicKey(keystore.key, data["tls.key"] ?? ""), "the keystore's key is tls.key");
    assert.equal(openP12(secret.data?.["keystore.p12"], "not-the-password").ok, false);

    // truststore.p12: the root only.
    const truststore = openP12(secret.data?.["truststore.p12"], password);
    assert.ok(truststore.ok);
    assert.equal(truststore.key, undefined);
    assert.deepEqual(
      truststore.certs.map((c) => c.fingerprint256),
      [root.fingerprint256],
    );

    // Random salts must not mean a write per reconcile: once settled, a reconcile (woken by an
    // annotation) finds the HMAC of the written data and leaves the Secret and the certificate alone.
    const settled = await settle("java", "java-tls");
    kubectl(["-n", app, "annotate", "vaultpkisecret", "java", "keyport.test/poke=1"]);
    await sleep(3000);
    assert.equal(getJson<SecretView>("secret", app, "java-tls")?.metadata.resourceVersion, settled.rv);
    assert.equal(getJson<VpsView>("vaultpkisecret", app, "java")?.status?.serialNumber, settled.serial);
  });

  test("sign mode (ECDSA key made here) into an Opaque Secret: the Predictable keys and an EC keystore", async () => {
    apply(
      vps(
        "signed",
        `
role: any-key
commonName: signed.example.com
ttl: 1h
privateKey: {algorithm: ECDSA, size: 256}
chainLayout: Predictable
keystores:
  pkcs12: {create: true, passwordSecretRef: {name: p12-password, key: password}}
destination: {name: signed-tls, create: true}
`,
      ),
    );
    const secret = await waitForSecret(app, "signed-tls", (d) => d["keystore.p12"] !== undefined);
    assert.equal(secret.type, "Opaque");
    const data = secretText(secret) ?? {};
    assert.equal(pems(data["ca.crt"] ?? "")[0]?.fingerprint256, rootCa.fingerprint256);
    const leaf = pems(data["tls.crt"] ?? "")[0] as X509Certificate;
    assert.equal(createPublicKey(createPrivateKey(data["tls.key"] ?? "")).asymmetricKeyType, "ec");
    const keystore = openP12(secret.data?.["keystore.p12"], password);
    assert.ok(keystore.ok && keystore.key);
    assert.equal(keystore.certs[0]?.fingerprint256, leaf.fingerprint256);
    assert.ok(samePublicKey(keystore.key, data["tls.key"] ?? ""));
  });

  test("by default: VSO's keys only — no keystore, no ca.crt next to a chain, tls.crt as VSO builds it", async () => {
    apply(
      vps(
        "plain",
        "commonName: plain.example.com\nttl: 1h\ndestination: {name: plain-tls, create: true, type: kubernetes.io/tls}",
      ),
    );
    const data = secretText(await waitForSecret(app, "plain-tls")) ?? {};
    const vsoKeys = [
      "_raw",
      "ca_chain",
      "certificate",
      "expiration",
      "issuing_ca",
      "not_before", // OpenBao adds it to the response; VSO writes every response field
      "private_key",
      "private_key_type",
      "serial_number",
      "tls.crt",
      "tls.key",
    ];
    assert.deepEqual(
      Object.keys(data).filter((k) => !vsoKeys.includes(k)),
      [],
      "no keystore.p12, truststore.p12 or ca.crt",
    );
    assert.equal(data["tls.crt"], `${data.certificate}\n${data.ca_chain}`, "VSO's tls.crt");
  });

  test("a missing password Secret: InvalidConfiguration, nothing issued, the last good Secret stays", async () => {
    apply(
      vps(
        "rotate",
        `
commonName: rotate.example.com
ttl: 1h
keystores:
  pkcs12: {create: true, passwordSecretRef: {name: p12-password, key: password}}
destination: {name: rotate-tls, create: true, type: kubernetes.io/tls}
`,
      ),
    );
    await waitForSecret(app, "rotate-tls", (d) => d["keystore.p12"] !== undefined);
    const good = await settle("rotate", "rotate-tls");
    const issuedBefore = await certificateCount();
    apply(
      vps(
        "rotate",
        `
commonName: rotate.example.com
ttl: 1h
keystores:
  pkcs12: {create: true, passwordSecretRef: {name: later-password, key: password}}
destination: {name: rotate-tls, create: true, type: kubernetes.io/tls}
`,
      ),
    );
    const failed = await eventually(() => {
      const c = condition("rotate");
      return c?.status === "False" ? c : undefined;
    });
    assert.equal(failed.reason, "InvalidConfiguration");
    assert.match(failed.message, new RegExp(`Secret ${app}/later-password does not exist`));
    assert.equal(getJson<VpsView>("vaultpkisecret", app, "rotate")?.status?.valid, false);
    await sleep(6000); // past the first backoff retry
    assert.equal(getJson<VpsView>("vaultpkisecret", app, "rotate")?.status?.serialNumber, good.serial);
    assert.equal(
      getJson<SecretView>("secret", app, "rotate-tls")?.metadata.resourceVersion,
      good.rv,
      "the last good Secret stays",
    );
    assert.equal(await certificateCount(), issuedBefore, "the password is read before Vault is asked");

    // Once the Secret exists the retry (backoff, no watch needed) issues with the new password.
    const later = "a-later-password";
    apply(passwordSecret("later-password", later));
    const fixed = await waitForSecret(
      app,
      "rotate-tls",
      (_d, s) => s.metadata.resourceVersion !== good.rv,
      90_000,
    );
    assert.ok(openP12(fixed.data?.["keystore.p12"], later).ok, "opens with the new password");
    assert.equal(openP12(fixed.data?.["keystore.p12"], password).ok, false);
    const events = kubectl(["-n", app, "get", "events", "-o", "json"]);
    assert.equal(events.includes(later) || events.includes(password), false, "no password in Events");
    const status = JSON.stringify(getJson("vaultpkisecret", app, "rotate"));
    assert.equal(status.includes(later), false, "no password in status");
    const logs = keyport.output();
    assert.equal(logs.includes(later) || logs.includes(password), false, "no password in the logs");
  });
});
