// syncConfig.instantUpdates on OpenBao (no Vault Enterprise events): changes are detected within
// seconds by cheap metadata requests, and a group falls back when its token may not make them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  createNamespace,
  getJson,
  installCrds,
  type KeyportProcess,
  metricValue,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const opNs = uniqueName("keyport");
const app = uniqueName("app");
const folder = uniqueName("inst");
let keyport: KeyportProcess;

interface Conditions {
  status?: { conditions?: Array<{ type: string; status: string; reason: string }> };
}

/** A namespace-scoped VaultAuth whose role carries `policy`. */
async function authWithPolicy(name: string, policy: string, hcl: string): Promise<void> {
  await vault("PUT", `sys/policies/acl/${policy}`, { policy: hcl });
  await vault("POST", `auth/kubernetes/role/${name}`, {
    bound_service_account_names: ["default"],
    bound_service_account_namespaces: [app],
    audience: "vault",
    token_policies: [policy],
    token_ttl: "1h",
  });
  apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultAuth
metadata: {name: ${name}, namespace: ${app}}
spec:
  vaultConnectionRef: ${opNs}/default
  method: kubernetes
  mount: kubernetes
  kubernetes: {role: ${name}, serviceAccount: default, audiences: [vault]}
`);
}

function vss(name: string, auth: string, path: string): string {
  return `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: ${name}, namespace: ${app}}
spec:
  vaultAuthRef: ${auth}
  type: kv-v2
  mount: kvv2
  path: ${path}
  refreshAfter: 1h
  syncConfig: {instantUpdates: true}
  destination: {name: ${name}, create: true}
`;
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultConnection
metadata: {name: default, namespace: ${opNs}}
spec: {address: "${testEnv().vault.addr}"}
`);
  const read = `path "kvv2/data/${folder}/*" { capabilities = ["read"] }\n`;
  await authWithPolicy(
    "listing",
    uniqueName("pol"),
    `${read}path "kvv2/detailed-metadata/${folder}/*" { capabilities = ["list"] }\npath "kvv2/detailed-metadata/${folder}" { capabilities = ["list"] }\n`,
  );
  await authWithPolicy(
    "metadata",
    uniqueName("pol"),
    `${read}path "kvv2/metadata/${folder}/*" { capabilities = ["read"] }\n`,
  );
  await authWithPolicy("readonly", uniqueName("pol"), read);
  keyport = await startKeyport({
    operatorNamespace: opNs,
    watchNamespaces: [opNs, app],
    args: ["--instant-updates-interval=1s"],
  });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("instantUpdates without Vault Enterprise", () => {
  test("write, soft delete, undelete, destroy and a new version are each detected within seconds", async () => {
    const path = `${folder}/a`;
    await vault("POST", `kvv2/data/${path}`, { data: { v: "1" } });
    apply(vss("a", "listing", path));
    await waitForSecret(app, "a", (d) => d.v === "1");
    await vault("POST", `kvv2/data/${path}`, { data: { v: "2" } });
    await waitForSecret(app, "a", (d) => d.v === "2", 10_000);
    const synced = (status: string) => () =>
      getJson<Conditions>("vaultstaticsecret", app, "a")?.status?.conditions?.find(
        (c) => c.type === "SecretSynced" && c.status === status,
      );
    await vault("POST", `kvv2/delete/${path}`, { versions: [2] });
    await eventually(synced("False"), { timeoutMs: 10_000 });
    await vault("POST", `kvv2/undelete/${path}`, { versions: [2] });
    await eventually(synced("True"), { timeoutMs: 10_000 });
    await vault("POST", `kvv2/destroy/${path}`, { versions: [2] });
    await eventually(synced("False"), { timeoutMs: 10_000 });
    await vault("POST", `kvv2/data/${path}`, { data: { v: "3" } });
    await waitForSecret(app, "a", (d) => d.v === "3", 10_000);
  });

  test("groups fall back: per-secret metadata without list permission, full reads without metadata", async () => {
    for (const [name, auth] of [
      ["b", "metadata"],
      ["c", "readonly"],
    ] as const) {
      const path = `${folder}/${name}`;
      await vault("POST", `kvv2/data/${path}`, { data: { v: "1" } });
      apply(vss(name, auth, path));
      await waitForSecret(app, name, (d) => d.v === "1");
      await vault("POST", `kvv2/data/${path}`, { data: { v: "2" } });
      await waitForSecret(app, name, (d) => d.v === "2", 10_000);
    }
    const metrics = await eventually(async () => {
      const text = await keyport.metrics();
      return metricValue(text, 'keyport_change_detection_groups{mode="read"}') >= 1 ? text : undefined;
    });
    assert.equal(metricValue(metrics, 'keyport_change_detection_groups{mode="detailed-metadata"}'), 1);
    assert.equal(metricValue(metrics, 'keyport_change_detection_groups{mode="metadata"}'), 1);
    assert.equal(metricValue(metrics, 'keyport_change_detection_groups{mode="read"}'), 1);
    assert.ok(metricValue(metrics, 'keyport_change_detection_requests_total{mode="detailed-metadata"}') > 0);
  });
});
