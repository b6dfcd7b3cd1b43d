// VaultPKISecret end to end: certificates issued by the real OpenBao PKI (intermediate under a
// root), read back from the Secret and verified with node:crypto.
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
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
  metricValue,
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
let keyport: KeyportProcess;
let rootCa: X509Certificate;

interface VpsView {
  metadata: { resourceVersion: string };
  status?: {
    serialNumber?: string;
    expiration?: number;
    notAfter?: string;
    valid?: boolean;
    error?: string;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

function vps(name: string, spec: string): string {
  const role = spec.includes("role:") ? "" : "\n  role: example-dot-com";
  return `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultPKISecret
metadata: {name: ${name}, namespace: ${app}}
spec:
  mount: pki_int${role}
${spec
  .trim()
  .split("\n")
  .map((l) => `  ${l}`)
  .join("\n")}
`;
}

function pems(bundle: string): X509Certificate[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p),
  );
}

/** leaf → … → our root, each link signed by the next. */
function assertChains(chain: X509Certificate[]): void {
  const all = [...chain, rootCa];
  for (let i = 0; i + 1 < all.length; i++) {
    const cert = all[i] as X509Certificate;
    const issuer = all[i + 1] as X509Certificate;
    assert.ok(cert.checkIssued(issuer) && cert.verify(issuer.publicKey), `link ${i} verifies`);
  }
}

function serialOf(name: string): string | undefined {
  return getJson<VpsView>("vaultpkisecret", app, name)?.status?.serialNumber;
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));
  rootCa = new X509Certificate((await vault("GET", "pki/cert/ca"))?.data?.certificate as string);
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("VaultPKISecret", () => {
  test("a kubernetes.io/tls Secret whose certificate, key and chain verify against the root", async () => {
    apply(
      vps(
        "web",
        `
commonName: web.example.com
altNames: [www.example.com]
ipSans: [127.0.0.1]
ttl: 1h
destination: {name: web-tls, create: true, type: kubernetes.io/tls}
`,
      ),
    );
    const secret = await waitForSecret(app, "web-tls");
    assert.equal(secret.type, "kubernetes.io/tls");
    const data = secretText(secret) ?? {};
    for (const key of [
      "certificate",
      "private_key",
      "issuing_ca",
      "ca_chain",
      "serial_number",
      "expiration",
      "_raw",
      "tls.crt",
      "tls.key",
    ]) {
      assert.ok(data[key], `data key ${key}`);
    }
    const chain = pems(data["tls.crt"] ?? "");
    const leaf = chain[0] as X509Certificate;
    assert.match(leaf.subject, /CN=web\.example\.com/);
    assert.match(leaf.subjectAltName ?? "", /DNS:www\.example\.com/);
    assert.match(leaf.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
    assertChains(chain);
    assert.ok(leaf.checkPrivateKey(createPrivateKey(data["tls.key"] ?? "")), "tls.key belongs to tls.crt");
    const status = await eventually(() => {
      const view = getJson<VpsView>("vaultpkisecret", app, "web");
      return view?.status?.notAfter ? view : undefined;
    });
    assert.equal(status.status?.serialNumber, data.serial_number);
    assert.equal(Date.parse(status.status?.notAfter ?? ""), Date.parse(leaf.validTo));
    assert.match(kubectl(["-n", app, "get", "vaultpkisecret", "web"]), /EXPIRES/);
  });

  test("an existing destination (create: false) gets the certificate data", async () => {
    kubectl(["-n", app, "create", "secret", "generic", "existing-cert"]);
    apply(vps("existing", "commonName: existing.example.com\nttl: 1h\ndestination: {name: existing-cert}"));
    const secret = await waitForSecret(app, "existing-cert", (d) => d.certificate !== undefined);
    assert.match(
      new X509Certificate(secretText(secret)?.certificate ?? "").subject,
      /existing\.example\.com/,
    );
  });

  test("short TTLs rotate the serial; revoke puts the old serial on the CRL", async () => {
    apply(
      vps(
        "short",
        `
commonName: short.example.com
ttl: 9s
revoke: true
destination: {name: short-tls, create: true}
`,
      ),
    );
    const first = await eventually(() => serialOf("short"));
    const second = await eventually(
      () => {
        const s = serialOf("short");
        return s !== undefined && s !== first ? s : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.notEqual(second, first);
    const revoked = await eventually(async () => {
      const list = (await vault("GET", "pki_int/certs/revoked?list=true"))?.data?.keys as
        | string[]
        | undefined;
      return list?.includes(first) ? list : undefined;
    });
    assert.ok(revoked.length > 0);
    // It would keep rotating every few seconds; the restart test below counts issuances.
    kubectl(["-n", app, "delete", "vaultpkisecret", "short"]);
  });

  for (const [algorithm, size, check] of [
    ["RSA", 2048, (k: ReturnType<typeof createPublicKey>) => k.asymmetricKeyType === "rsa"],
    ["ECDSA", 256, (k: ReturnType<typeof createPublicKey>) => k.asymmetricKeyType === "ec"],
    ["Ed25519", undefined, (k: ReturnType<typeof createPublicKey>) => k.asymmetricKeyType === "ed25519"],
  ] as const) {
    test(`sign mode, ${algorithm}: the key is made here and the certificate holds its public key`, async () => {
      const name = `sign-${algorithm.toLowerCase()}`;
      apply(
        vps(
          name,
          `
role: ${algorithm === "RSA" ? "example-dot-com" : "any-key"}
commonName: ${name}.example.com
altNames: [${name}-alt.example.com]
ttl: 1h
privateKey: {algorithm: ${algorithm}${size ? `, size: ${size}` : ""}}
destination: {name: ${name}, create: true, type: kubernetes.io/tls}
`,
        ),
      );
      const data = secretText(await waitForSecret(app, name)) ?? {};
      const leaf = new X509Certificate(data["tls.crt"] ?? "");
      const key = createPrivateKey(data["tls.key"] ?? "");
      assert.ok(check(createPublicKey(key)), `${algorithm} key`);
      assert.ok(leaf.checkPrivateKey(key), "the certificate's public key is the Secret's key");
      assert.match(leaf.subjectAltName ?? "", new RegExp(`DNS:${name}-alt\\.example\\.com`));
      const raw = JSON.parse(data._raw ?? "{}") as Record<string, unknown>;
      assert.equal(raw.private_key, undefined, "no Vault response carried a private key");
      assertChains(pems(data["tls.crt"] ?? ""));
    });
  }

  test("bad input (a CN the role forbids, an unknown role) is a condition; the last good certificate stays", async () => {
    apply(vps("bad", "commonName: ok.example.com\nttl: 1h\ndestination: {name: bad-tls, create: true}"));
    const good = await waitForSecret(app, "bad-tls");
    apply(vps("bad", "commonName: evil.attacker.test\nttl: 1h\ndestination: {name: bad-tls, create: true}"));
    const failed = await eventually(() =>
      getJson<VpsView>("vaultpkisecret", app, "bad")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === "False",
      ),
    );
    assert.equal(failed.reason, "VaultClientError");
    assert.match(failed.message, /evil\.attacker\.test|not allowed/);
    assert.equal(
      getJson<SecretView>("secret", app, "bad-tls")?.metadata.resourceVersion,
      good.metadata.resourceVersion,
    );
    assert.equal(getJson<VpsView>("vaultpkisecret", app, "bad")?.status?.valid, false);
    // A failing resource keeps retrying (and logging in): out of the restart test's way.
    kubectl(["-n", app, "delete", "vaultpkisecret", "bad"]);
    apply(
      `${vps("norole", "role: no-such-role\ncommonName: ok.example.com\ndestination: {name: norole, create: true}")}`,
    );
    const unknownRole = await eventually(() =>
      getJson<VpsView>("vaultpkisecret", app, "norole")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === "False",
      ),
    );
    assert.equal(unknownRole.reason, "VaultClientError");
    assert.match(unknownRole.message, /no-such-role/);
    kubectl(["-n", app, "delete", "vaultpkisecret", "norole"]);
    apply(
      vps(
        "p224",
        "role: any-key\ncommonName: ok.example.com\nprivateKey: {algorithm: ECDSA, size: 224}\ndestination: {name: p224, create: true}",
      ),
    );
    const unsupported = await eventually(() =>
      getJson<VpsView>("vaultpkisecret", app, "p224")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === "False",
      ),
    );
    assert.equal(unsupported.reason, "UnsupportedPrivateKey");
    assert.equal(getJson<SecretView>("secret", app, "p224"), undefined);
    kubectl(["-n", app, "delete", "vaultpkisecret", "p224"]);
  });

  test("clear: true empties a create: false destination when the resource is deleted", async () => {
    kubectl(["-n", app, "create", "secret", "generic", "cleared"]);
    apply(
      vps("clearing", "commonName: clear.example.com\nttl: 1h\nclear: true\ndestination: {name: cleared}"),
    );
    await waitForSecret(app, "cleared", (d) => d.certificate !== undefined);
    await eventually(
      () =>
        (
          getJson<{ metadata: { finalizers?: string[] } }>("vaultpkisecret", app, "clearing")?.metadata
            .finalizers ?? []
        ).length > 0,
    );
    kubectl(["-n", app, "delete", "vaultpkisecret", "clearing"]);
    await waitForSecret(app, "cleared", (d) => Object.keys(d).length === 0);
  });

  test("restart: 50 certificates, operator stopped and started — same serials, no Secret written", async () => {
    const names = Array.from({ length: 50 }, (_, i) => `bulk-${i}`);
    apply(
      names
        .map((n) =>
          vps(
            n,
            `commonName: ${n}.example.com\nttl: 1h\ndestination: {name: ${n}, create: true, type: kubernetes.io/tls}`,
          ),
        )
        .join("---\n"),
    );
    const before = new Map<string, { serial: string; rv: string }>();
    for (const n of names) {
      const secret = await waitForSecret(app, n);
      const serial = await eventually(() => serialOf(n));
      before.set(n, { serial, rv: secret.metadata.resourceVersion });
    }
    await keyport.stop();
    keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
    await sleep(4000);
    const metrics = await keyport.metrics();
    let issued = 0;
    for (const line of metrics.split("\n"))
      if (line.startsWith("keyport_certificate_issuances_total{")) issued += Number(line.split(" ")[1]);
    assert.equal(
      issued,
      0,
      `the restarted operator issued no certificate: ${metrics.match(/^keyport_certificate_issuances_total.*$/gm)}`,
    );
    assert.equal(metricValue(metrics, "keyport_vault_logins_total"), 0, "and needed no Vault login");
    for (const n of names) {
      assert.equal(serialOf(n), before.get(n)?.serial, n);
      assert.equal(getJson<SecretView>("secret", app, n)?.metadata.resourceVersion, before.get(n)?.rv, n);
    }
  });
});
