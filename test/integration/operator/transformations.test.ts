// Templated destinations, the way VSO users write them: inline templates, shared
// SecretTransformations, edits that re-render every referencing Secret, and invalid templates
// that are refused while the last good Secret stays.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
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
const kv = uniqueName("t");
let keyport: KeyportProcess;

interface Conditions {
  status?: {
    valid?: boolean;
    error?: string;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));
  await vault("POST", `kvv2/data/${kv}/db`, { data: { username: "app", password: "s3cret", port: 5432 } });
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("transformations", () => {
  test("inline templates render with Go semantics; raw fields are filtered", async () => {
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: inline, namespace: ${app}, labels: {tier: db}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kv}/db
  destination:
    name: inline
    create: true
    transformation:
      excludeRaw: true
      excludes: [password]
      templates:
        url:
          text: 'postgres://{{ .Secrets.username }}:{{ .Secrets.password | urlquery }}@db:{{ .Secrets.port }}/app'
        meta:
          text: '{{ .Labels.tier }} v{{ .Metadata.version }} {{ printf "%v" .Secrets.port }}'
`);
    const secret = await waitForSecret(app, "inline", (d) => d.url !== undefined);
    assert.deepEqual(secretText(secret), {
      url: "postgres://app:s3cret@db:5432/app",
      meta: "db v1 5432",
      port: "5432",
      username: "app",
    });
  });

  test("a shared SecretTransformation renders, and editing it re-renders every Secret that uses it", async () => {
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: SecretTransformation
metadata: {name: shared, namespace: ${app}}
spec:
  sourceTemplates:
  - name: helpers
    text: '{{ define "creds" }}{{ .Secrets.username }}/{{ .Secrets.password }}{{ end }}'
  templates:
    creds: {text: '{{ template "creds" . }}'}
  excludes: [".*"]
`);
    for (const name of ["ref-a", "ref-b"]) {
      apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: ${name}, namespace: ${app}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kv}/db
  destination:
    name: ${name}
    create: true
    transformation:
      excludeRaw: true
      transformationRefs: [{name: shared}]
`);
    }
    for (const name of ["ref-a", "ref-b"]) {
      const secret = await waitForSecret(app, name, (d) => d.creds !== undefined);
      assert.deepEqual(secretText(secret), { creds: "app/s3cret" });
    }
    const status = await eventually(
      () => getJson<Conditions>("secrettransformation", app, "shared")?.status?.valid,
    );
    assert.equal(status, true);
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: SecretTransformation
metadata: {name: shared, namespace: ${app}}
spec:
  sourceTemplates:
  - name: helpers
    text: '{{ define "creds" }}{{ .Secrets.username | upper }}:{{ .Secrets.password }}{{ end }}'
  templates:
    creds: {text: '{{ template "creds" . }}'}
  excludes: [".*"]
`);
    for (const name of ["ref-a", "ref-b"]) {
      await waitForSecret(app, name, (d) => d.creds === "APP:s3cret", 10_000);
    }
  });

  test("every kind renders: a VaultPKISecret and a VaultDynamicSecret through inline templates and a shared SecretTransformation; an edit reaches all three kinds", async () => {
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: SecretTransformation
metadata: {name: stamp, namespace: ${app}}
spec:
  templates:
    stamp: {text: 'team={{ .Labels.team }} v1'}
`);
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: kinds-kv, namespace: ${app}, labels: {team: pay}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kv}/db
  destination:
    name: kinds-kv
    create: true
    transformation:
      excludeRaw: true
      transformationRefs: [{name: stamp}]
      templates:
        user: {text: '{{ .Secrets.username }}'}
      excludes: [password, port, username]
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultPKISecret
metadata: {name: kinds-cert, namespace: ${app}, labels: {team: pay}}
spec:
  mount: pki_int
  role: example-dot-com
  commonName: kinds.example.com
  ttl: 1h
  destination:
    name: kinds-cert
    create: true
    transformation:
      transformationRefs: [{name: stamp}]
      templates:
        bundle.pem: {text: '{{ .Secrets.certificate }}{{ "\\n" }}{{ .Secrets.private_key }}'}
        issuer: {text: '{{ if .Secrets.issuing_ca }}has-issuing-ca{{ end }} {{ .Secrets.private_key_type }}'}
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultDynamicSecret
metadata: {name: kinds-db, namespace: ${app}, labels: {team: pay}}
spec:
  mount: database
  path: creds/app
  destination:
    name: kinds-db
    create: true
    transformation:
      transformationRefs: [{name: stamp}]
      templates:
        dsn: {text: 'postgresql://{{ .Secrets.username }}:{{ .Secrets.password | urlquery }}@db/app'}
`);
    const kvData = secretText(await waitForSecret(app, "kinds-kv", (d) => d.stamp !== undefined));
    assert.deepEqual(kvData, { stamp: "team=pay v1", user: "app" });

    const certSecret = await waitForSecret(app, "kinds-cert", (d) => d["bundle.pem"] !== undefined, 60_000);
    const cert = secretText(certSecret) ?? {};
    assert.equal(cert["bundle.pem"], `${cert.certificate}\n${cert.private_key}`);
    assert.match(cert["bundle.pem"] ?? "", /^-----BEGIN CERTIFICATE-----[\s\S]+PRIVATE KEY-----$/);
    assert.equal(cert.issuer, "has-issuing-ca rsa");
    assert.equal(cert.stamp, "team=pay v1");
    const leaf = new X509Certificate(cert.certificate ?? "");
    assert.match(leaf.subject, /CN=kinds\.example\.com/);

    const db = secretText(await waitForSecret(app, "kinds-db", (d) => d.dsn !== undefined, 60_000)) ?? {};
    assert.equal(db.dsn, `postgresql://${db.username}:${encodeURIComponent(db.password ?? "")}@db/app`);
    assert.match(db.username ?? "", /^v-/, "a PostgreSQL role made by the database engine");
    assert.equal(db.stamp, "team=pay v1");
    assert.deepEqual(Object.keys(JSON.parse(db._raw ?? "{}")).sort(), ["password", "username"]);

    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: SecretTransformation
metadata: {name: stamp, namespace: ${app}}
spec:
  templates:
    stamp: {text: 'team={{ .Labels.team | upper }} v2'}
`);
    for (const name of ["kinds-kv", "kinds-cert", "kinds-db"]) {
      await waitForSecret(app, name, (d) => d.stamp === "team=PAY v2", 30_000);
    }
    // Re-rendering is not re-issuing: the same certificate and the same database user (both
    // rendered again from the `_raw` their Secrets keep; VSO would issue new ones).
    const after = (name: string) => secretText(getJson<SecretView>("secret", app, name)) ?? {};
    assert.equal(after("kinds-db").username, db.username);
    assert.equal(after("kinds-cert").certificate, cert.certificate);
  });

  test("an invalid template is refused with a clear condition, and the last good Secret stays", async () => {
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: breaking, namespace: ${app}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kv}/db
  destination:
    name: breaking
    create: true
    transformation:
      templates:
        good: {text: '{{ .Secrets.username }}'}
`);
    const good = await waitForSecret(app, "breaking", (d) => d.good === "app");
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: breaking, namespace: ${app}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kv}/db
  destination:
    name: breaking
    create: true
    transformation:
      templates:
        good: {text: '{{ .Secrets.username '}
`);
    const condition = await eventually(() =>
      getJson<Conditions>("vaultstaticsecret", app, "breaking")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === "False",
      ),
    );
    assert.equal(condition.reason, "SecretDataBuilderError");
    assert.doesNotMatch(condition.message, /s3cret/);
    await sleep(500);
    assert.equal(
      getJson<SecretView>("secret", app, "breaking")?.metadata.resourceVersion,
      good.metadata.resourceVersion,
    );
  });

  test("hostile templates fail safely", async () => {
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: hostile, namespace: ${app}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kv}/db
  destination:
    name: hostile
    create: true
    transformation:
      excludeRaw: true
      templates:
        proto: {text: '{{ .constructor }}{{ index . "__proto__" }}'}
        big: {text: '{{ repeat 100000000 "x" }}'}
`);
    const condition = await eventually(() =>
      getJson<Conditions>("vaultstaticsecret", app, "hostile")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === "False",
      ),
    );
    assert.equal(condition.reason, "SecretDataBuilderError");
    assert.equal(getJson<SecretView>("secret", app, "hostile"), undefined);
    assert.equal((await fetch(`${keyport.healthUrl}/healthz`)).status, 200, "the operator is still up");
  });
});
