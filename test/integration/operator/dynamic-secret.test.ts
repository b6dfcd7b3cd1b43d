// VaultDynamicSecret end to end against the real engines: PostgreSQL credentials (dynamic and
// static roles) and the Kubernetes secrets engine, through the operator as users run it. Checked
// where it matters: credentials connect to PostgreSQL, tokens authenticate to the apiserver, a
// revoked lease's user is gone from pg_roles, and an operator restart (or a leader handover)
// re-issues nothing and restarts nothing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { psqlAsAdmin } from "../../../tools/testenv/openbao.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  createNamespace,
  getJson,
  installCrds,
  type KeyportProcess,
  kubectl,
  metricValue,
  type SecretView,
  secretText,
  sleep,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { watchSecret } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const opNs = uniqueName("keyport");
const app = uniqueName("vds");
/** Restart and handover: many resources, one identity. */
const rs = uniqueName("vds-rs");
/** Bad input, through a VaultAuth whose policy refuses some paths. */
const bad = uniqueName("vds-bad");
/** An identity whose token reaches its max TTL within the test. */
const maxTtl = uniqueName("vds-maxttl");
const role = uniqueName("vds");
const run = uniqueName("r").replace("-", "");
let keyport: KeyportProcess;
const processes: KeyportProcess[] = [];

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

interface VdsView {
  metadata: { uid: string; generation: number; resourceVersion: string; finalizers?: string[] };
  status?: {
    lastRenewalTime?: number;
    lastGeneration?: number;
    secretLease?: { id: string; duration: number; renewable: boolean; requestID: string };
    staticCredsMetaData?: {
      lastVaultRotation: number;
      rotationPeriod: number;
      rotationSchedule?: string;
      ttl: number;
    };
    lastRuntimePodUID?: string;
    secretMAC?: string;
    vaultClientMeta?: { cacheKey?: string; id?: string };
    conditions?: Condition[];
    supersededLeases?: Array<{
      id: string;
      expiresAt: string;
      targets?: Array<{ kind: string; name: string }>;
      mac: string;
    }>;
  };
}

interface WorkloadView {
  metadata: { generation: number };
  spec: { template: { metadata: { annotations?: Record<string, string> } } };
}

function vdsView(namespace: string, name: string): VdsView | undefined {
  return getJson<VdsView>("vaultdynamicsecret", namespace, name);
}

function applyVds(namespace: string, name: string, spec: Record<string, unknown>): void {
  apply(
    JSON.stringify({
      apiVersion: "secrets.hashicorp.com/v1beta1",
      kind: "VaultDynamicSecret",
      metadata: { name, namespace },
      spec,
    }),
  );
}

/** Waits for the resource's status to satisfy `check`, showing the last status on timeout. */
async function waitForVds(
  namespace: string,
  name: string,
  check: (v: VdsView) => boolean,
  timeoutMs = 30_000,
): Promise<VdsView> {
  let last: unknown;
  try {
    return await eventually(
      () => {
        const v = vdsView(namespace, name);
        last = v?.status;
        return v !== undefined && check(v) ? v : undefined;
      },
      { timeoutMs, message: `VaultDynamicSecret ${namespace}/${name}` },
    );
  } catch (error) {
    (error as Error).message += `; last status: ${JSON.stringify(last)}`;
    throw error;
  }
}

const synced = (v: VdsView) =>
  v.status?.lastGeneration === v.metadata.generation && v.status?.secretLease !== undefined;

function condition(v: VdsView | undefined, type: string): Condition | undefined {
  return v?.status?.conditions?.find((c) => c.type === type);
}

function psql(user: string, password: string, sql: string): string {
  const pg = testEnv().postgres;
  return execFileSync(
    `${pg.bin}/psql`,
    ["-h", pg.host, "-p", String(pg.port), "-U", user, "-d", pg.database, "-tAc", sql],
    { encoding: "utf8", env: { ...process.env, PGPASSWORD: password }, stdio: ["ignore", "pipe", "pipe"] },
  ).trim();
}

function canConnect(data: Record<string, string>): boolean {
  return psql(data.username ?? "", data.password ?? "", "select current_user") === data.username;
}

function roleExists(user: string): boolean {
  return psqlAsAdmin(testEnv().postgres, `select count(*) from pg_roles where rolname = '${user}'`) === "1";
}

/** A database role of our own, with short TTLs so renewals and max TTL happen within a test. */
async function databaseRole(name: string, defaultTtl: string, maxTtl: string): Promise<void> {
  await vault("POST", `database/roles/${name}`, {
    db_name: "postgres",
    creation_statements: [
      `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
    ],
    default_ttl: defaultTtl,
    max_ttl: maxTtl,
  });
}

/** A kubernetes-auth role for the default ServiceAccount of `namespaces`. */
async function authRole(
  name: string,
  namespaces: readonly string[],
  options: { policy?: string; ttl?: string; maxTtl?: string } = {},
): Promise<void> {
  await vault("POST", `auth/kubernetes/role/${name}`, {
    bound_service_account_names: ["default"],
    bound_service_account_namespaces: namespaces,
    audience: "vault",
    token_policies: [options.policy ?? "keyport"],
    token_ttl: options.ttl ?? "1h",
    ...(options.maxTtl === undefined ? {} : { token_max_ttl: options.maxTtl }),
  });
}

function vaultAuth(namespace: string, name: string, authRoleName: string, labels?: Record<string, string>) {
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: "VaultAuth",
    metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
    spec: {
      vaultConnectionRef: `${opNs}/default`,
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role: authRoleName, serviceAccount: "default", audiences: ["vault"] },
    } as Record<string, unknown>,
  };
}

function deployment(namespace: string, name: string): void {
  apply(
    JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "c", image: "registry.invalid/app:1" }] },
        },
      },
    }),
  );
}

function workload(namespace: string, name: string): WorkloadView {
  const w = getJson<WorkloadView>("deployment", namespace, name);
  assert.ok(w, `Deployment ${namespace}/${name}`);
  return w;
}

function restartedAt(namespace: string, name: string): string | undefined {
  return workload(namespace, name).spec.template.metadata.annotations?.[
    "vso.secrets.hashicorp.com/restartedAt"
  ];
}

/** What the deployment controller would report once every replica runs the new template. */
function markRolledOut(namespace: string, name: string): void {
  const generation = workload(namespace, name).metadata.generation;
  kubectl([
    "-n",
    namespace,
    "patch",
    "deployment",
    name,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({ status: { observedGeneration: generation, replicas: 0, updatedReplicas: 0 } }),
  ]);
}

async function metricSum(process: KeyportProcess, name: string, filter = ""): Promise<number> {
  let total = 0;
  for (const line of (await process.metrics()).split("\n")) {
    if (line.startsWith(`${name}{`) && line.includes(filter))
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

async function start(podUid: string, extra: { leaderElect?: boolean } = {}): Promise<KeyportProcess> {
  const p = await startKeyport({
    operatorNamespace: opNs,
    watchNamespaces: [opNs, app, rs, bad, maxTtl],
    ...extra,
    env: { OPERATOR_POD_UID: podUid },
  });
  processes.push(p);
  return p;
}

before(async () => {
  installCrds();
  for (const ns of [opNs, app, rs, bad, maxTtl]) createNamespace(ns);
  // Tokens that live 20 s: the restart test then shows leases outliving the token's first TTL.
  await authRole(role, [app, rs], { ttl: "20s", maxTtl: "1h" });
  // Persisted tokens are encrypted with Transit: the operator namespace's own VaultAuth, labelled
  // as VSO expects, holds the key (policy keyport may use transit/keyport).
  await authRole(`${role}-transit`, [opNs]);
  const transit = vaultAuth(opNs, "transit", `${role}-transit`, { cacheStorageEncryption: "true" });
  transit.spec.storageEncryption = { mount: "transit", keyName: "keyport" };
  // A policy that lets database creds be read, except those of role "readonly".
  const limited = `${run}-limited`;
  await vault("PUT", `sys/policies/acl/${limited}`, {
    policy: `path "database/creds/*" { capabilities = ["read"] }
path "database/creds/readonly" { capabilities = ["deny"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }`,
  });
  await authRole(`${role}-limited`, [bad], { policy: limited });
  await authRole(`${role}-maxttl`, [maxTtl], { ttl: "6s", maxTtl: "18s" });
  apply(
    [
      {
        apiVersion: "secrets.hashicorp.com/v1beta1",
        kind: "VaultConnection",
        metadata: { name: "default", namespace: opNs },
        spec: { address: testEnv().vault.addr },
      },
      vaultAuth(opNs, "default", role),
      transit,
      vaultAuth(bad, "limited", `${role}-limited`),
      vaultAuth(maxTtl, "short-lived", `${role}-maxttl`),
    ]
      .map((o) => JSON.stringify(o))
      .join("\n---\n"),
  );
  keyport = await start("pod-1");
});

after(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await closeAgents();
});

describe("VaultDynamicSecret", () => {
  test("database credentials: in the Secret, connecting to PostgreSQL, status as VSO writes it", async () => {
    applyVds(app, "db", { mount: "database", path: "creds/app", destination: { name: "db", create: true } });
    const secret = await waitForSecret(app, "db", (d) => d.username !== undefined);
    const data = secretText(secret) ?? {};
    assert.ok(canConnect(data), "the credentials log in to PostgreSQL");
    assert.deepEqual(Object.keys(JSON.parse(data._raw ?? "{}")).sort(), ["password", "username"]);
    const v = await waitForVds(app, "db", synced);
    const s = v.status ?? {};
    assert.match(s.secretLease?.id ?? "", /^database\/creds\/app\//);
    assert.equal(s.secretLease?.duration, 3600);
    assert.equal(s.secretLease?.renewable, true);
    assert.ok(s.secretLease?.requestID);
    assert.ok(Math.abs((s.lastRenewalTime ?? 0) - Date.now() / 1000) < 30);
    assert.equal(s.lastRuntimePodUID, "pod-1");
    assert.deepEqual(s.staticCredsMetaData, { lastVaultRotation: 0, rotationPeriod: 0, ttl: 0 });
    assert.equal(s.secretMAC, undefined, "VSO keeps secretMAC for static credentials only");
    assert.match(s.vaultClientMeta?.cacheKey ?? "", /^kubernetes-[0-9a-f]{22}$/);
    assert.match(s.vaultClientMeta?.id ?? "", /^[0-9a-f]{64}$/);
    assert.deepEqual(v.metadata.finalizers, ["vaultdynamicsecret.secrets.hashicorp.com/finalizer"]);
    assert.equal(condition(v, "SecretSynced")?.status, "True");
    const series = `keyport_lease_expiration_timestamp_seconds{namespace="${app}",name="db"}`;
    const expiry = await eventually(async () => metricValue(await keyport.metrics(), series) || undefined);
    assert.equal(expiry, (s.lastRenewalTime ?? 0) + 3600);
    // A steady state: nothing is due for 40 minutes, so nothing is written meanwhile.
    const settled = await waitForVds(app, "db", (x) => x.metadata.finalizers !== undefined);
    await sleep(3_000);
    assert.equal(vdsView(app, "db")?.metadata.resourceVersion, settled.metadata.resourceVersion);
    assert.equal(
      getJson<SecretView>("secret", app, "db")?.metadata.resourceVersion,
      secret.metadata.resourceVersion,
    );
  });

  test("the persisted token is encrypted with Transit and carries VSO's labels and MAC", async () => {
    const cacheKey = vdsView(app, "db")?.status?.vaultClientMeta?.cacheKey ?? "";
    const record = await eventually(() =>
      getJson<SecretView & { immutable?: boolean }>("secret", opNs, `vso-cc-${cacheKey}`),
    );
    assert.equal(record.immutable, true);
    assert.equal(record.metadata.labels?.["app.kubernetes.io/component"], "client-cache-storage");
    assert.equal(record.metadata.labels?.cacheKey, cacheKey);
    assert.equal(record.metadata.labels?.vaultTransitRef, "transit");
    assert.equal(record.metadata.labels?.encrypted, "true");
    assert.match(Buffer.from(record.data?.secret ?? "", "base64").toString(), /^vault:v1:/);
    assert.equal(Buffer.from(record.data?.messageMAC ?? "", "base64").length, 32);
    assert.doesNotMatch(keyport.output(), /\b(hvs|hvb|s|b)\.[A-Za-z0-9]{20,}/, "no token in the log");
  });

  test("renewed leases keep working; past max_ttl new credentials are issued and workloads restart", async () => {
    const short = `short-${run}`;
    await databaseRole(short, "6s", "20s");
    deployment(app, "web-short");
    applyVds(app, "short", {
      mount: "database",
      path: `creds/${short}`,
      rolloutRestartTargets: [{ kind: "Deployment", name: "web-short" }],
      destination: { name: "short", create: true },
    });
    const first = await waitForVds(app, "short", synced);
    const lease = first.status?.secretLease?.id;
    const issuedAt = first.status?.lastRenewalTime ?? 0;
    const creds = secretText(await waitForSecret(app, "short")) ?? {};
    assert.equal(restartedAt(app, "web-short"), undefined, "the first sync restarts nothing");
    // Renewed past the lease's first expiry, same lease, same user, still logging in.
    await waitForVds(
      app,
      "short",
      (v) => v.status?.secretLease?.id === lease && (v.status?.lastRenewalTime ?? 0) > issuedAt + 6,
      20_000,
    );
    assert.ok(canConnect(creds), "renewed credentials still log in");
    // max_ttl: the renewal comes back truncated, new credentials replace the old ones.
    const replaced = await waitForVds(app, "short", (v) => v.status?.secretLease?.id !== lease, 30_000);
    const fresh = secretText(await waitForSecret(app, "short", (d) => d.username !== creds.username)) ?? {};
    assert.ok(canConnect(fresh), "the new credentials log in");
    assert.ok(restartedAt(app, "web-short"), "the workload was restarted for the new credentials");
    assert.equal(replaced.status?.lastGeneration, 1);
    assert.ok((await metricSum(keyport, "keyport_lease_renewals_total", 'result="truncated"')) >= 1);
    assert.ok(
      (await metricSum(keyport, "keyport_dynamic_credential_issuances_total", 'reason="LeaseTruncated"')) >=
        1,
    );
    kubectl(["-n", app, "delete", "vaultdynamicsecret", "short", "--wait=true"]);
  });

  test("revoke: a superseded lease is revoked after the rollout it caused, the last one on deletion", async () => {
    deployment(app, "web-revoke");
    const spec = {
      mount: "database",
      path: "creds/app",
      revoke: true,
      rolloutRestartTargets: [{ kind: "Deployment", name: "web-revoke" }],
      destination: { name: "revoke", create: true },
    };
    applyVds(app, "revoke", spec);
    await waitForVds(app, "revoke", synced);
    const before = secretText(await waitForSecret(app, "revoke")) ?? {};
    const generation = workload(app, "web-revoke").metadata.generation;
    // A spec edit mints new credentials (VSO #1051); the old lease must not outlive them.
    applyVds(app, "revoke", { ...spec, renewalPercent: 50 });
    const after = secretText(await waitForSecret(app, "revoke", (d) => d.username !== before.username)) ?? {};
    await eventually(() => workload(app, "web-revoke").metadata.generation > generation, {
      message: "the rollout restart",
    });
    // The Deployment has not rolled out (no controller runs here): old pods may still use the
    // old credentials, so they stay.
    await sleep(6_000);
    assert.ok(roleExists(before.username ?? ""), "the old user survives while the rollout is under way");
    markRolledOut(app, "web-revoke");
    await eventually(() => !roleExists(before.username ?? ""), {
      timeoutMs: 15_000,
      message: "the superseded user is dropped after the rollout",
    });
    assert.ok(canConnect(after));
    kubectl(["-n", app, "delete", "vaultdynamicsecret", "revoke", "--wait=true"]);
    await eventually(() => !roleExists(after.username ?? ""), { message: "deletion revokes the lease" });
  });

  test("revoke without rollout targets: the superseded lease goes right after the new Secret is written", async () => {
    const spec = {
      mount: "database",
      path: "creds/app",
      revoke: true,
      destination: { name: "revoke2", create: true },
    };
    applyVds(app, "revoke2", spec);
    const before = secretText(await waitForSecret(app, "revoke2")) ?? {};
    await waitForVds(app, "revoke2", synced);
    applyVds(app, "revoke2", { ...spec, renewalPercent: 60 });
    await waitForSecret(app, "revoke2", (d) => d.username !== before.username);
    await eventually(() => !roleExists(before.username ?? ""), { timeoutMs: 10_000, message: "revoked" });
    kubectl(["-n", app, "delete", "vaultdynamicsecret", "revoke2", "--wait=true"]);
  });

  test("revoke: a superseded lease still waiting for its rollout is revoked by the next operator process", async () => {
    deployment(app, "web-pending");
    const spec = {
      mount: "database",
      path: "creds/app",
      revoke: true,
      rolloutRestartTargets: [{ kind: "Deployment", name: "web-pending" }],
      destination: { name: "pending", create: true },
    };
    applyVds(app, "pending", spec);
    const first = await waitForVds(app, "pending", synced);
    const oldLease = first.status?.secretLease?.id ?? "";
    const before = secretText(await waitForSecret(app, "pending")) ?? {};
    const generation = workload(app, "web-pending").metadata.generation;
    applyVds(app, "pending", { ...spec, renewalPercent: 55 });
    const after =
      secretText(await waitForSecret(app, "pending", (d) => d.username !== before.username)) ?? {};
    await eventually(() => workload(app, "web-pending").metadata.generation > generation, {
      message: "the rollout restart",
    });
    // Recorded with the new lease, in status: what a restarted operator needs to finish the job.
    const recorded = await waitForVds(app, "pending", (v) =>
      (v.status?.supersededLeases ?? []).some((e) => e.id === oldLease),
    );
    assert.notEqual(recorded.status?.secretLease?.id, oldLease);
    const entry = recorded.status?.supersededLeases?.find((e) => e.id === oldLease);
    assert.deepEqual(entry?.targets, [{ kind: "Deployment", name: "web-pending" }]);
    const expiresAt = Date.parse(entry?.expiresAt ?? "");
    assert.ok(
      Math.abs(expiresAt - ((first.status?.lastRenewalTime ?? 0) + 3600) * 1000) < 2_000,
      entry?.expiresAt,
    );

    // The operator stops before the rollout has finished.
    await keyport.stop();
    assert.ok(roleExists(before.username ?? ""), "the old user survives the stop");
    // Meanwhile someone adds an entry of their own to status: another resource's live lease.
    const victim = vdsView(app, "db")?.status?.secretLease?.id ?? "";
    const victimUser = secretText(getJson<SecretView>("secret", app, "db"))?.username ?? "";
    assert.ok(victim !== "" && roleExists(victimUser));
    const forged = { id: victim, expiresAt: entry?.expiresAt, mac: entry?.mac };
    kubectl([
      "-n",
      app,
      "patch",
      "vaultdynamicsecret",
      "pending",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({
        status: { supersededLeases: [...(recorded.status?.supersededLeases ?? []), forged] },
      }),
    ]);

    keyport = await start("pod-1b");
    // The new process refuses the forged entry (removes it, says so) and keeps waiting for the rollout.
    await waitForVds(app, "pending", (v) => !(v.status?.supersededLeases ?? []).some((e) => e.id === victim));
    await sleep(6_000);
    assert.ok(roleExists(before.username ?? ""), "still waiting for the rollout after the restart");
    assert.ok(roleExists(victimUser), "a lease named by an edited status is never revoked");
    assert.deepEqual(
      vdsView(app, "pending")?.status?.supersededLeases?.map((e) => e.id),
      [oldLease],
    );
    const events = kubectl([
      "-n",
      app,
      "get",
      "events",
      "--field-selector",
      "reason=SecretLeaseRevoke",
      "-o",
      "json",
    ]);
    assert.match(events, /MAC does not verify/);

    markRolledOut(app, "web-pending");
    await eventually(() => !roleExists(before.username ?? ""), {
      timeoutMs: 20_000,
      message: "the superseded user is dropped by the new process after the rollout",
    });
    await assert.rejects(vault("PUT", "sys/leases/lookup", { lease_id: oldLease }), /invalid lease/);
    await waitForVds(app, "pending", (v) => v.status?.supersededLeases === undefined);
    assert.ok(canConnect(after), "the new credentials are untouched");
    assert.ok(canConnect(secretText(getJson<SecretView>("secret", app, "db")) ?? {}));
    assert.equal(
      await metricSum(keyport, "keyport_lease_revocations_total", 'cause="superseded",result="revoked"'),
      1,
    );
    kubectl(["-n", app, "delete", "vaultdynamicsecret", "pending", "--wait=true"]);
  });

  test("static role: the Secret follows Vault's rotations, one restart per rotation, never a loop", async () => {
    const user = `static_${run}`;
    psqlAsAdmin(testEnv().postgres, `CREATE ROLE "${user}" WITH LOGIN PASSWORD 'initial'`);
    await vault("POST", `database/static-roles/${user}`, {
      db_name: "postgres",
      username: user,
      rotation_period: "5s",
    });
    deployment(app, "web-static");
    const startGeneration = workload(app, "web-static").metadata.generation;
    // An independent witness of every write to the Secret, whoever makes it.
    const watch = watchSecret(app, "static");
    try {
      applyVds(app, "static", {
        mount: "database",
        path: `static-creds/${user}`,
        allowStaticCreds: true,
        rolloutRestartTargets: [{ kind: "Deployment", name: "web-static" }],
        destination: { name: "static", create: true },
      });
      await waitForSecret(app, "static", (d) => d.password !== undefined);
      const v = await waitForVds(app, "static", synced);
      assert.equal(v.status?.secretLease?.id, "");
      assert.equal(v.status?.staticCredsMetaData?.rotationPeriod, 5);
      assert.ok((v.status?.staticCredsMetaData?.lastVaultRotation ?? 0) > 0);
      assert.ok(v.status?.secretMAC, "static credentials carry VSO's secretMAC");
      await sleep(24_000);
      // Vault rotates every 5 s; the current password may change under us, so try again.
      await eventually(() => canConnect(secretText(getJson<SecretView>("secret", app, "static")) ?? {}), {
        message: "the current password logs in",
      });
      // Once the resource is gone nothing writes or restarts any more: the counts are final.
      kubectl(["-n", app, "delete", "vaultdynamicsecret", "static", "--wait=true"]);
      await sleep(1_000);
      const passwords = watch.writes
        .filter((w) => w.type !== "DELETED")
        .map((w) =>
          Buffer.from((JSON.parse(w.data) as { password?: string }).password ?? "", "base64").toString(),
        );
      const rotations = passwords.length - 1;
      assert.ok(rotations >= 2, `Vault rotated ${rotations} times`);
      for (let k = 1; k < passwords.length; k++) {
        assert.notEqual(
          passwords[k],
          passwords[k - 1],
          "every write carries a new password: none for ttl changes",
        );
      }
      assert.equal(
        workload(app, "web-static").metadata.generation - startGeneration,
        rotations,
        "one restart per rotation, none for the first sync",
      );
    } finally {
      watch.stop();
    }
    await vault("DELETE", `database/static-roles/${user}`);
  });

  test("kubernetes secrets engine: the synced token authenticates as the ServiceAccount", async () => {
    applyVds(app, "sa-token", {
      mount: "kubernetes",
      path: "creds/demo",
      params: { kubernetes_namespace: "demo" },
      destination: { name: "sa-token", create: true },
    });
    const data =
      secretText(await waitForSecret(app, "sa-token", (d) => d.service_account_token !== undefined)) ?? {};
    const review = JSON.parse(
      kubectl(
        ["create", "-o", "json", "-f", "-"],
        JSON.stringify({
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenReview",
          spec: { token: data.service_account_token },
        }),
      ),
    ) as { status: { authenticated?: boolean; user?: { username?: string } } };
    assert.equal(review.status.authenticated, true);
    assert.equal(review.status.user?.username, "system:serviceaccount:demo:demo");
    const v = await waitForVds(app, "sa-token", synced);
    assert.match(v.status?.secretLease?.id ?? "", /^kubernetes\/creds\/demo\//);
    assert.equal(v.status?.secretLease?.renewable, false);
    kubectl(["-n", app, "delete", "vaultdynamicsecret", "sa-token", "--wait=true"]);
  });

  test("bad input: a clear condition, and the last good credentials stay", async () => {
    const spec = {
      vaultAuthRef: "limited",
      mount: "database",
      path: "creds/app",
      destination: { name: "db", create: true },
    };
    applyVds(bad, "db", spec);
    await waitForSecret(bad, "db", (d) => d.username !== undefined);
    await waitForVds(bad, "db", synced);
    for (const [path, words] of [
      ["creds/no-such-role", /no-such-role/],
      ["creds/readonly", /permission denied/],
    ] as const) {
      const good = getJson<SecretView>("secret", bad, "db");
      applyVds(bad, "db", { ...spec, path });
      const failed = await waitForVds(bad, "db", (v) => condition(v, "SecretSynced")?.status === "False");
      const c = condition(failed, "SecretSynced");
      assert.equal(c?.reason, "VaultClientError");
      assert.match(c?.message ?? "", words);
      assert.equal(condition(failed, "Ready")?.status, "False");
      const events = kubectl([
        "-n",
        bad,
        "get",
        "events",
        "--field-selector",
        "reason=VaultClientError",
        "-o",
        "json",
      ]);
      assert.match(events, words, "an Event says the same");
      const kept = getJson<SecretView>("secret", bad, "db");
      assert.equal(kept?.metadata.resourceVersion, good?.metadata.resourceVersion, "the Secret is untouched");
      assert.ok(canConnect(secretText(kept) ?? {}), "the last good credentials still log in");
      applyVds(bad, "db", spec);
      await waitForVds(bad, "db", (v) => synced(v) && condition(v, "SecretSynced")?.status === "True");
    }
    assert.throws(
      () => applyVds(bad, "db", { ...spec, params: { count: 3 } }),
      /params/,
      "non-string params are refused by the schema",
    );
  });

  test("a token reaching its max TTL: new credentials before the old ones end, visibly", async () => {
    deployment(maxTtl, "web");
    applyVds(maxTtl, "db", {
      vaultAuthRef: "short-lived",
      mount: "database",
      path: "creds/app",
      rolloutRestartTargets: [{ kind: "Deployment", name: "web" }],
      destination: { name: "db", create: true },
    });
    const first = await waitForVds(maxTtl, "db", synced);
    const old = secretText(await waitForSecret(maxTtl, "db")) ?? {};
    // The token lives 18 s at most; shortly before, the session logs in again.
    const rotated = await waitForVds(
      maxTtl,
      "db",
      (v) => v.status?.secretLease?.id !== first.status?.secretLease?.id,
      40_000,
    );
    assert.notEqual(rotated.status?.vaultClientMeta?.id, first.status?.vaultClientMeta?.id, "a new token");
    const fresh = secretText(await waitForSecret(maxTtl, "db", (d) => d.username !== old.username)) ?? {};
    assert.ok(canConnect(fresh));
    assert.ok(restartedAt(maxTtl, "web"), "the workload restarted onto the new credentials");
    const events = kubectl([
      "-n",
      maxTtl,
      "get",
      "events",
      "--field-selector",
      "reason=SecretRotated",
      "-o",
      "json",
    ]);
    assert.match(events, /sync_reason=VaultTokenRotated/);
    // Vault ends the old token at its max TTL, and every lease it created with it.
    await eventually(() => !roleExists(old.username ?? ""), {
      timeoutMs: 30_000,
      message: "the old token's lease ends with it",
    });
    kubectl(["-n", maxTtl, "delete", "vaultdynamicsecret", "db", "--wait=true"]);
  });

  describe("restarts cost nothing", () => {
    const count = 20;
    const names = Array.from({ length: count }, (_, i) => `db-${i}`);
    let leases: Map<string, string>;
    let versions: Map<string, string>;

    function snapshot(): { leases: Map<string, string>; versions: Map<string, string>; ids: Set<string> } {
      const out = {
        leases: new Map<string, string>(),
        versions: new Map<string, string>(),
        ids: new Set<string>(),
      };
      for (const name of names) {
        const v = vdsView(rs, name);
        out.leases.set(name, v?.status?.secretLease?.id ?? "");
        out.ids.add(v?.status?.vaultClientMeta?.id ?? "");
        out.versions.set(name, getJson<SecretView>("secret", rs, name)?.metadata.resourceVersion ?? "");
      }
      return out;
    }

    /** Every resource renewed by the running process after `since` (unix seconds). */
    async function allRenewedAfter(since: number, podUid: string): Promise<void> {
      await eventually(
        () =>
          names.every((name) => {
            const s = vdsView(rs, name)?.status;
            return (s?.lastRenewalTime ?? 0) > since && s?.lastRuntimePodUID === podUid;
          }),
        { timeoutMs: 90_000, message: "every lease renewed by the new process" },
      );
    }

    test(`${count} VaultDynamicSecrets; SIGTERM and start: identical leases and Secrets, no restart, renewals go on`, async () => {
      const dbRole = `rs-${run}`;
      // 60 s leases: renewed every 40–46 s, so the restart falls inside a renewal period with
      // room to spare on a busy machine.
      await databaseRole(dbRole, "60s", "1h");
      deployment(rs, "web");
      for (const name of names) {
        applyVds(rs, name, {
          mount: "database",
          path: `creds/${dbRole}`,
          rolloutRestartTargets: [{ kind: "Deployment", name: "web" }],
          destination: { name, create: true },
        });
      }
      await eventually(
        () =>
          names.every((n) => {
            const v = vdsView(rs, n);
            return v !== undefined && synced(v);
          }),
        {
          timeoutMs: 60_000,
          message: "all synced",
        },
      );
      await sleep(1_000);
      const before = snapshot();
      leases = before.leases;
      versions = before.versions;
      assert.equal(before.ids.size, 1, "one token for the namespace's identity");
      const generation = workload(rs, "web").metadata.generation;

      await keyport.stop();
      const stoppedAt = Math.floor(Date.now() / 1000);
      keyport = await start("pod-2");
      await allRenewedAfter(stoppedAt, "pod-2");
      const afterRestart = snapshot();
      assert.deepEqual(afterRestart.leases, leases, "the same leases, renewed");
      assert.deepEqual(afterRestart.versions, versions, "no Secret was written");
      assert.deepEqual(afterRestart.ids, before.ids, "the same token (adopted, not a new login)");
      assert.equal(workload(rs, "web").metadata.generation, generation, "no workload restarted");
      assert.equal(
        await metricSum(keyport, "keyport_dynamic_credential_issuances_total"),
        0,
        "nothing issued",
      );
      assert.ok(
        (await metricSum(keyport, "vso_client_cache_storage_requests_total", 'operation="restore"')) > 0,
      );
      assert.equal(await metricSum(keyport, "keyport_client_cache_storage_discarded_total"), 0);

      // Past the token's own first TTL (20 s) the leases are still renewed: the adopted token is.
      await allRenewedAfter(stoppedAt + 25, "pod-2");
      assert.deepEqual(snapshot().leases, leases);
      const one = secretText(getJson<SecretView>("secret", rs, "db-0")) ?? {};
      assert.ok(canConnect(one), "credentials from before the restart still log in");
    });

    test("a tampered token record is discarded and logged; the new token's leases are new, correctly", async () => {
      const cacheKey = vdsView(rs, "db-0")?.status?.vaultClientMeta?.cacheKey ?? "";
      const name = `vso-cc-${cacheKey}`;
      const record = getJson<
        SecretView & { immutable?: boolean; metadata: { labels?: Record<string, string> } }
      >("secret", opNs, name);
      assert.ok(record?.data?.secret);
      // Records are immutable: an attacker replaces one. Same MAC, other bytes.
      const bytes = Buffer.from(record.data.secret, "base64");
      bytes[bytes.length - 2] = (bytes.at(-2) ?? 0) ^ 1;
      await keyport.stop();
      kubectl(["-n", opNs, "delete", "secret", name]);
      apply(
        JSON.stringify({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name, namespace: opNs, labels: record.metadata.labels },
          immutable: true,
          data: { ...record.data, secret: bytes.toString("base64") },
        }),
      );
      keyport = await start("pod-3");
      await eventually(() => keyport.output().includes("discarded a persisted Vault token"), {
        timeoutMs: 30_000,
        message: "the discard is logged",
      });
      assert.ok(keyport.output().includes('"reason":"tampered"'));
      // A new login means a new token; the old one's leases end with it, so each resource gets
      // new credentials (VaultTokenRotated) — never the tampered token.
      await eventually(() => names.every((n) => vdsView(rs, n)?.status?.secretLease?.id !== leases.get(n)), {
        timeoutMs: 45_000,
        message: "new credentials for every resource",
      });
      assert.equal(
        await metricSum(keyport, "keyport_dynamic_credential_issuances_total", 'reason="VaultTokenRotated"'),
        count,
      );
      assert.equal(
        await metricSum(keyport, "keyport_client_cache_storage_discarded_total", 'reason="tampered"'),
        1,
      );
    });

    test("leader handover between two replicas: identical leases and Secrets, no restart", async () => {
      await keyport.stop();
      const a = await start("pod-a", { leaderElect: true });
      const b = await start("pod-b", { leaderElect: true });
      // Leading now, by its own log: its last term started and has not stopped.
      const leading = (p: KeyportProcess) => {
        if (p.child.exitCode !== null) return false;
        const terms = p.output().match(/leading: controllers started|controllers stopped/g) ?? [];
        return terms.at(-1) === "leading: controllers started";
      };
      const leader = await eventually(() => [a, b].find(leading), { message: "a leader" });
      const standby = leader === a ? b : a;
      const leaderPod = leader === a ? "pod-a" : "pod-b";
      const standbyPod = leader === a ? "pod-b" : "pod-a";
      const since = Math.floor(Date.now() / 1000);
      await allRenewedAfter(since, leaderPod);
      const before = snapshot();
      const generation = workload(rs, "web").metadata.generation;
      await leader.stop();
      const handedOver = Math.floor(Date.now() / 1000);
      await eventually(() => leading(standby), { timeoutMs: 20_000, message: "the standby leads" });
      await allRenewedAfter(handedOver, standbyPod);
      const after = snapshot();
      assert.deepEqual(after.leases, before.leases, "the same leases");
      assert.deepEqual(after.versions, before.versions, "no Secret was written");
      assert.deepEqual(after.ids, before.ids, "the same token");
      assert.equal(workload(rs, "web").metadata.generation, generation, "no workload restarted");
      assert.equal(await metricSum(standby, "keyport_dynamic_credential_issuances_total"), 0);
      keyport = standby;
    });
  });
});
