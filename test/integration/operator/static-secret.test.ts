// VaultStaticSecret end to end, as a user drives it: apply manifests with kubectl, change Vault,
// read the Secret. VSO's own scenarios first, then what Keyport adds (drift, no idle writes).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { secretMac } from "../../../src/sync/hmac.ts";
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
/** Vault paths unique to this run, so a reused environment starts every secret at version 1. */
const kv = uniqueName("p");
let keyport: KeyportProcess;

interface VssView {
  metadata: { generation: number; resourceVersion: string; finalizers?: string[] };
  status?: {
    secretMAC?: string;
    lastGeneration?: number;
    vaultClientMeta?: { cacheKey?: string; id?: string };
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

function vss(name: string, spec: string): string {
  return `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: ${name}, namespace: ${app}}
spec:
${spec
  .trim()
  .split("\n")
  .map((l) => `  ${l}`)
  .join("\n")}
`;
}

function vssWith(name: string, check: (v: VssView) => boolean): VssView | undefined {
  const view = getJson<VssView>("vaultstaticsecret", app, name);
  return view !== undefined && check(view) ? view : undefined;
}

function hmacKey(): Buffer {
  const secret = getJson<SecretView>("secret", opNs, "vso-cc-storage-hmac-key");
  assert.ok(secret?.data?.key, "VSO's HMAC key Secret exists in the operator namespace");
  return Buffer.from(secret.data.key, "base64");
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("VaultStaticSecret", () => {
  test("kv-v2 into a created Secret: data, _raw, VSO's labels, ownerReference and HMAC", async () => {
    await vault("POST", `kvv2/data/${kv}/created`, {
      data: { username: "app", password: "s3cret", port: 5432 },
    });
    apply(
      vss(
        "created",
        `
type: kv-v2
mount: kvv2
path: ${kv}/created
destination: {name: created, create: true, labels: {team: a}}
`,
      ),
    );
    const secret = await waitForSecret(app, "created");
    const data = secretText(secret) ?? {};
    assert.equal(data.username, "app");
    assert.equal(data.password, "s3cret");
    assert.equal(data.port, "5432");
    const raw = JSON.parse(data._raw ?? "{}") as { data: unknown; metadata: { version: number } };
    assert.deepEqual(raw.data, { password: "s3cret", port: 5432, username: "app" });
    assert.equal(raw.metadata.version, 1);
    const owner = getJson<{ metadata: { uid: string } }>("vaultstaticsecret", app, "created");
    assert.deepEqual(secret.metadata.labels, {
      team: "a",
      "app.kubernetes.io/managed-by": "hashicorp-vso",
      "app.kubernetes.io/name": "vault-secrets-operator",
      "app.kubernetes.io/component": "secret-sync",
      "secrets.hashicorp.com/vso-ownerRefUID": owner?.metadata.uid,
    });
    assert.deepEqual(secret.metadata.ownerReferences, [
      {
        apiVersion: "secrets.hashicorp.com/v1beta1",
        kind: "VaultStaticSecret",
        name: "created",
        uid: owner?.metadata.uid,
      },
    ]);
    const status = await eventually(() => vssWith("created", (v) => v.status?.secretMAC !== undefined));
    const bytes = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")]),
    );
    assert.equal(
      status.status?.secretMAC,
      secretMac(hmacKey(), bytes),
      "status.secretMAC is VSO's HMAC of the data",
    );
    assert.equal(status.status?.lastGeneration, status.metadata.generation);
    assert.match(status.status?.vaultClientMeta?.cacheKey ?? "", /^kubernetes-[0-9a-f]{22}$/);
    assert.deepEqual(status.metadata.finalizers, ["vaultstaticsecret.secrets.hashicorp.com/finalizer"]);
    const synced = status.status?.conditions?.find((c) => c.type === "SecretSynced");
    assert.equal(synced?.status, "True");
  });

  test("kv-v1 into an existing Secret (create: false): only the data is replaced", async () => {
    await vault("POST", `kvv1/${kv}/existing`, { api_key: "k1" });
    kubectl(["-n", app, "create", "secret", "generic", "existing", "--from-literal=old=value"]);
    kubectl(["-n", app, "label", "secret", "existing", "mine=yes"]);
    apply(
      vss(
        "existing",
        `
type: kv-v1
mount: kvv1
path: ${kv}/existing
destination: {name: existing}
`,
      ),
    );
    const secret = await waitForSecret(app, "existing", (d) => d.api_key === "k1");
    const data = secretText(secret) ?? {};
    assert.equal(data.old, undefined, "VSO replaces the data as a whole");
    assert.deepEqual(JSON.parse(data._raw ?? ""), { api_key: "k1" });
    assert.deepEqual(
      secret.metadata.labels,
      { mine: "yes" },
      "labels of a Secret we do not own are untouched",
    );
    assert.equal(secret.metadata.ownerReferences, undefined);
  });

  test("a missing create: false destination is reported, and synced once it exists", async () => {
    await vault("POST", `kvv2/data/${kv}/later`, { data: { a: "1" } });
    apply(
      vss(
        "later",
        `
type: kv-v2
mount: kvv2
path: ${kv}/later
destination: {name: later}
`,
      ),
    );
    const condition = await eventually(() =>
      getJson<VssView>("vaultstaticsecret", app, "later")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === "False",
      ),
    );
    assert.equal(condition.reason, "InexistentDestination");
    kubectl(["-n", app, "create", "secret", "generic", "later"]);
    await waitForSecret(app, "later", (d) => d.a === "1");
  });

  test("kv-v2 pinned to a version does not follow later writes", async () => {
    await vault("POST", `kvv2/data/${kv}/pinned`, { data: { v: "one" } });
    await vault("POST", `kvv2/data/${kv}/pinned`, { data: { v: "two" } });
    apply(
      vss(
        "pinned",
        `
type: kv-v2
mount: kvv2
path: ${kv}/pinned
version: 1
refreshAfter: 1s
destination: {name: pinned, create: true}
`,
      ),
    );
    await waitForSecret(app, "pinned", (d) => d.v === "one");
    await vault("POST", `kvv2/data/${kv}/pinned`, { data: { v: "three" } });
    const before = getJson<SecretView>("secret", app, "pinned")?.metadata.resourceVersion;
    await sleep(2500);
    const after = getJson<SecretView>("secret", app, "pinned");
    assert.equal(secretText(after)?.v, "one");
    assert.equal(after?.metadata.resourceVersion, before);
  });

  test("updates in Vault propagate within refreshAfter", async () => {
    await vault("POST", `kvv2/data/${kv}/rotating`, { data: { password: "one" } });
    apply(
      vss(
        "rotating",
        `
type: kv-v2
mount: kvv2
path: ${kv}/rotating
refreshAfter: 2s
destination: {name: rotating, create: true}
`,
      ),
    );
    await waitForSecret(app, "rotating", (d) => d.password === "one");
    await vault("POST", `kvv2/data/${kv}/rotating`, { data: { password: "two" } });
    await waitForSecret(app, "rotating", (d) => d.password === "two", 10_000);
  });

  test("hmacSecretData: false writes no secretMAC", async () => {
    await vault("POST", `kvv2/data/${kv}/nohmac`, { data: { a: "1" } });
    apply(
      vss(
        "nohmac",
        `
type: kv-v2
mount: kvv2
path: ${kv}/nohmac
hmacSecretData: false
destination: {name: nohmac, create: true}
`,
      ),
    );
    await waitForSecret(app, "nohmac", (d) => d.a === "1");
    const status = await eventually(() => vssWith("nohmac", (v) => v.status?.lastGeneration !== undefined));
    assert.equal(status.status?.secretMAC, undefined);
  });

  test("a deleted or edited destination is restored at once, not at the next refresh", async () => {
    await vault("POST", `kvv2/data/${kv}/drift`, { data: { password: "right" } });
    apply(
      vss(
        "drift",
        `
type: kv-v2
mount: kvv2
path: ${kv}/drift
refreshAfter: 1h
destination: {name: drift, create: true}
`,
      ),
    );
    await waitForSecret(app, "drift", (d) => d.password === "right");
    kubectl(["-n", app, "delete", "secret", "drift"]);
    await waitForSecret(app, "drift", (d) => d.password === "right", 2_000);
    kubectl([
      "-n",
      app,
      "patch",
      "secret",
      "drift",
      "-p",
      JSON.stringify({ data: { password: Buffer.from("wrong").toString("base64") } }),
    ]);
    await waitForSecret(app, "drift", (d) => d.password === "right", 2_000);
    kubectl(["-n", app, "label", "secret", "drift", "app.kubernetes.io/managed-by-"]);
  });

  test("a second sync with unchanged data makes no API write", async () => {
    await vault("POST", `kvv2/data/${kv}/steady`, { data: { a: "1" } });
    apply(
      vss(
        "steady",
        `
type: kv-v2
mount: kvv2
path: ${kv}/steady
refreshAfter: 1s
destination: {name: steady, create: true}
`,
      ),
    );
    await waitForSecret(app, "steady");
    const settled = await eventually(() => vssWith("steady", (v) => v.status?.secretMAC !== undefined));
    const secretBefore = getJson<SecretView>("secret", app, "steady")?.metadata.resourceVersion;
    const reads = async () =>
      (await keyport.metrics()).match(/vso_client_operations_total\{operation="read"[^}]*\} (\d+)/g);
    const readsBefore = JSON.stringify(await reads());
    await sleep(3500);
    assert.equal(getJson<SecretView>("secret", app, "steady")?.metadata.resourceVersion, secretBefore);
    assert.equal(
      getJson<VssView>("vaultstaticsecret", app, "steady")?.metadata.resourceVersion,
      settled.metadata.resourceVersion,
    );
    assert.notEqual(
      JSON.stringify(await reads()),
      readsBefore,
      "Vault was read again meanwhile (refreshAfter 1s)",
    );
  });

  test("rollout restarts happen only with targets and only when data changed", async () => {
    const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${app}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: registry.invalid/app:1}]}
`;
    apply(deployment("web"));
    await vault("POST", `kvv2/data/${kv}/restart`, { data: { password: "one" } });
    apply(
      vss(
        "restart",
        `
type: kv-v2
mount: kvv2
path: ${kv}/restart
refreshAfter: 1s
rolloutRestartTargets: [{kind: Deployment, name: web}]
destination: {name: restart, create: true}
`,
      ),
    );
    await waitForSecret(app, "restart", (d) => d.password === "one");
    await sleep(2500);
    const restartedAt = () =>
      getJson<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(
        "deployment",
        app,
        "web",
      )?.spec.template.metadata.annotations?.["vso.secrets.hashicorp.com/restartedAt"];
    assert.equal(restartedAt(), undefined, "the first sync restarts nothing, nor do unchanged refreshes");
    await vault("POST", `kvv2/data/${kv}/restart`, { data: { password: "two" } });
    const stamp = await eventually(restartedAt, { timeoutMs: 10_000 });
    assert.match(stamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
