// Issue 9, item 10: no secret value may appear in the operator's logs, in Events or in any
// resource's status. This file runs a realistic mix — KV values, a certificate's private key,
// database credentials, an appRole secret-id, a Vault token in a Secret, a persisted operator token
// — plus failures designed to drag values into messages: templates that fail on a secret value
// (`fail`, `b64dec`, `fromJson`, `atoi`), a token Vault refuses, a secret-id Vault refuses. Then it
// scans every operator log, Event and status recorded in this run so far (every suite that used
// test/support/keyport.ts records there; the global teardown of `npm run test:integration` scans
// the whole run once more at the end) for every recorded secret value, as written, base64-encoded
// and JSON-escaped.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { conditionOf, manifest } from "../../support/hostile/resources.ts";
import { kubernetesRole, prepare, scenario, start, teardown } from "../../support/hostile/scenario.ts";
import { formatHits, recordSecretValues, type SecretValue, scanRun } from "../../support/hostile/secrecy.ts";
import { type KeyportProcess, uniqueName, vault, waitForSecret } from "../../support/keyport.ts";
import { applyAll, isFalse, resource, secret } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const s = scenario("secrecy", 1);
const app = s.namespaces[0] as string;
const kv = uniqueName("hostile-secrecy");
const role = uniqueName("hostile-secrecy");
let keyport: KeyportProcess;
const own: SecretValue[] = [];

function value(origin: string): string {
  const v = `sec-${uniqueName("v")}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  own.push({ value: v, origin });
  return v;
}

const kvValues = {
  password: value("KV password"),
  apiKey: value("KV api key"),
  notBase64: value("KV value fed to b64dec"),
  notJson: value("KV value fed to fromJson"),
  notNumber: value("KV value fed to atoi"),
};

function vss(name: string, templates: Record<string, string>, extra: Record<string, unknown> = {}) {
  return resource("VaultStaticSecret", app, name, {
    vaultAuthRef: "k8s",
    type: "kv-v2",
    mount: "kvv2",
    path: `${kv}/app`,
    refreshAfter: "5s",
    destination: {
      name,
      create: true,
      transformation: {
        templates: Object.fromEntries(Object.entries(templates).map(([k, text]) => [k, { text }])),
      },
    },
    ...extra,
  });
}

before(async () => {
  prepare(s);
  s.vaultCleanup.push(`kvv2/metadata/${kv}`);
  await kubernetesRole(s, role, [app], { policies: ["keyport"] });
  await vault("POST", `kvv2/data/${kv}/app`, { data: kvValues });
  const approle = uniqueName("hostile-secrecy");
  await vault("POST", `auth/approle/role/${approle}`, { token_policies: ["keyport"], token_ttl: "1h" });
  s.vaultCleanup.push(`auth/approle/role/${approle}`);
  const roleId = (await vault("GET", `auth/approle/role/${approle}/role-id`))?.data?.role_id as string;
  const secretId = (await vault("POST", `auth/approle/role/${approle}/secret-id`, {}))?.data
    ?.secret_id as string;
  own.push({ value: secretId, origin: "appRole secret-id" });
  const created = (await vault("POST", "auth/token/create", { policies: ["keyport"], ttl: "10m" })) as {
    auth: { client_token: string };
  };
  own.push({ value: created.auth.client_token, origin: "Vault token in a Secret" });
  const refusedToken = `s.${uniqueName("bogus")}${Math.random().toString(36).slice(2)}`;
  own.push({ value: refusedToken, origin: "a Vault token Vault refuses" });
  const refusedSecretId = crypto.randomUUID();
  own.push({ value: refusedSecretId, origin: "a secret-id Vault refuses" });
  recordSecretValues(testEnv().runDir, own);
  applyAll(
    resource("VaultConnection", app, "vault", { address: testEnv().vault.addr }),
    resource("VaultAuth", app, "k8s", {
      vaultConnectionRef: "vault",
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
    }),
    secret(app, "approle", { id: secretId }),
    secret(app, "approle-bad", { id: refusedSecretId }),
    secret(app, "token", { token: created.auth.client_token }),
    secret(app, "token-bad", { token: refusedToken }),
    resource("VaultAuth", app, "approle", {
      vaultConnectionRef: "vault",
      method: "appRole",
      mount: "approle",
      appRole: { roleId, secretRef: "approle" },
    }),
    resource("VaultAuth", app, "approle-bad", {
      vaultConnectionRef: "vault",
      method: "appRole",
      mount: "approle",
      appRole: { roleId, secretRef: "approle-bad" },
    }),
    resource("VaultAuth", app, "token", {
      vaultConnectionRef: "vault",
      method: "token",
      token: { secretRef: "token" },
    }),
    resource("VaultAuth", app, "token-bad", {
      vaultConnectionRef: "vault",
      method: "token",
      token: { secretRef: "token-bad" },
    }),
  );
  keyport = await start(s);
});

after(async () => {
  await teardown(s);
  await closeAgents();
});

describe("secrecy", () => {
  test("a realistic mix syncs: KV through three auth methods, a certificate, database credentials", async () => {
    applyAll(
      vss("kv", { password: "{{ .Secrets.password }}" }),
      vss("kv-approle", { key: "{{ .Secrets.apiKey }}" }, { vaultAuthRef: "approle" }),
      vss("kv-token", { key: "{{ .Secrets.apiKey }}" }, { vaultAuthRef: "token" }),
      manifest("VaultPKISecret", app, "cert", {
        vaultAuthRef: "k8s",
        mount: "pki_int",
        role: "example-dot-com",
        commonName: "secrecy.example.com",
        ttl: "1h",
        destination: { name: "cert", create: true, type: "kubernetes.io/tls" },
      }),
      manifest("VaultDynamicSecret", app, "db", {
        vaultAuthRef: "k8s",
        mount: "database",
        path: "creds/app",
        destination: { name: "db", create: true },
      }),
    );
    await waitForSecret(app, "kv", (d) => d.password === kvValues.password, 60_000);
    await waitForSecret(app, "kv-approle", (d) => d.key === kvValues.apiKey, 60_000);
    await waitForSecret(app, "kv-token", (d) => d.key === kvValues.apiKey, 60_000);
    await waitForSecret(app, "cert", (d) => (d["tls.key"] ?? "").includes("PRIVATE KEY"), 60_000);
    await waitForSecret(app, "db", (d) => (d.password ?? "").length > 0, 60_000);
  });

  test("failures that would quote a secret value say what failed, not the value", async (t) => {
    applyAll(
      vss("fail", { x: "{{ fail .Secrets.password }}" }),
      vss("b64", { x: "{{ .Secrets.notBase64 | b64dec }}" }),
      vss("json", { x: "{{ fromJson .Secrets.notJson }}" }),
      vss("atoi", { x: "{{ .Secrets.notNumber | atoi | add 1 }}" }),
      vss("field", { x: "{{ .Secrets.password.nope }}" }),
      vss("bad-token", { x: "{{ .Secrets.apiKey }}" }, { vaultAuthRef: "token-bad" }),
      vss("bad-secret-id", { x: "{{ .Secrets.apiKey }}" }, { vaultAuthRef: "approle-bad" }),
    );
    for (const name of ["fail", "field", "bad-token", "bad-secret-id"]) {
      const c = await conditionOf("VaultStaticSecret", app, name, "SecretSynced", isFalse);
      t.diagnostic(`${name}: ${c.reason}: ${c.message.slice(0, 200)}`);
    }
  });

  test("no recorded secret value appears in any operator log, Event or status of this run", async (t) => {
    // The operator's own end-of-life record (its Secrets' values, its Events and statuses) first.
    await keyport.stop();
    await keyport.observed();
    const env = testEnv();
    const result = scanRun({
      runDir: env.runDir,
      kubectl: env.kube.kubectl,
      kubeconfig: env.kube.kubeconfig,
    });
    t.diagnostic(formatHits(result));
    assert.ok(
      result.values >= own.length,
      "the registry holds this file's values and the operators' records",
    );
    assert.ok(result.logs >= 1 && result.publications >= 1, "there was something to search");
    assert.deepEqual(result.hits, [], formatHits(result));
  });
});
