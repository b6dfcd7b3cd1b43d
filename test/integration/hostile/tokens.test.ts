// Issue 9, item 6: the operator's Vault token is revoked behind its back (by accessor), expires
// (a short-TTL role, and an operator frozen past the token's end), or loses its permission (the
// policy overwritten to deny; a role that grants too little, then enough). Keyport logs in again
// and recovers; while it cannot, the resource says so — and the Secret keeps its last good data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import { assertSurvived } from "../../support/hostile/operator-health.ts";
import {
  kubernetesRole,
  policy,
  prepare,
  scenario,
  start,
  teardown,
} from "../../support/hostile/scenario.ts";
import { recordSecretValues } from "../../support/hostile/secrecy.ts";
import {
  getJson,
  type KeyportProcess,
  metricValue,
  type SecretView,
  secretText,
  sleep,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { applyAll, isFalse, isTrue, resource, waitForCondition } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const s = scenario("tokens", 1);
const app = s.namespaces[0] as string;
const kv = uniqueName("hostile-tokens");
const readPolicy = uniqueName("hostile-read");
const denyPolicy = uniqueName("hostile-deny");
const allowHcl = `path "kvv2/data/${kv}/*" { capabilities = ["read"] }\n`;
const denyHcl = `path "kvv2/data/${kv}/*" { capabilities = ["deny"] }\n`;
let keyport: KeyportProcess;

/** A random value, recorded as a secret for the secrecy scan. */
function secretValue(): string {
  const value = `tok-${uniqueName("v")}-${Math.random().toString(36).slice(2)}`;
  recordSecretValues(testEnv().runDir, [{ value, origin: "tokens.test.ts KV value" }]);
  return value;
}

async function put(path: string, value: string): Promise<void> {
  await vault("POST", `kvv2/data/${kv}/${path}`, { data: { value } });
}

/** A VaultAuth `name` with its own role and a VaultStaticSecret through it, synced once. */
async function synced(
  name: string,
  role: { policies: string[]; ttl?: string; maxTtl?: string },
): Promise<{ value: string }> {
  await kubernetesRole(s, `${s.opNs}-${name}`, [app], role);
  const value = secretValue();
  await put(name, value);
  applyAll(
    resource("VaultAuth", app, name, {
      vaultConnectionRef: "vault",
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role: `${s.opNs}-${name}`, serviceAccount: "default", audiences: ["vault"] },
    }),
    resource("VaultStaticSecret", app, name, {
      vaultAuthRef: name,
      type: "kv-v2",
      mount: "kvv2",
      path: `${kv}/${name}`,
      refreshAfter: "2s",
      destination: { name, create: true },
    }),
  );
  return { value };
}

/** The accessor of the token a VaultStaticSecret uses, from the operator's token record. */
async function accessorOf(name: string): Promise<string> {
  return eventually(
    () => {
      const cacheKey = getJson<{ status?: { vaultClientMeta?: { cacheKey?: string } } }>(
        "vaultstaticsecret",
        app,
        name,
      )?.status?.vaultClientMeta?.cacheKey;
      if (!cacheKey) return undefined;
      const payload = getJson<SecretView>("secret", s.opNs, `vso-cc-${cacheKey}`)?.data?.secret;
      if (!payload) return undefined;
      const record = JSON.parse(Buffer.from(payload, "base64").toString("utf8")) as {
        auth: { accessor: string };
      };
      return record.auth.accessor || undefined;
    },
    { message: `the token record of ${name} (status.vaultClientMeta.cacheKey → vso-cc-<cacheKey>)` },
  );
}

async function logins(): Promise<number> {
  return metricValue(await keyport.metrics(), "keyport_vault_logins_total");
}

const dataOf = (name: string) => secretText(getJson<SecretView>("secret", app, name));

before(async () => {
  prepare(s);
  s.vaultCleanup.push(`kvv2/metadata/${kv}`);
  await policy(s, readPolicy, allowHcl);
  await policy(s, denyPolicy, denyHcl);
  applyAll(resource("VaultConnection", app, "vault", { address: testEnv().vault.addr }));
  keyport = await start(s);
});

after(async () => {
  await teardown(s);
  await closeAgents();
});

describe("the Vault token", () => {
  test("revoked by accessor: the next use logs in again and the sync goes on", async (t) => {
    const { value } = await synced("revoked", { policies: [readPolicy] });
    await waitForSecret(app, "revoked", (d) => d.value === value, 60_000);
    const before = await logins();
    const accessor = await accessorOf("revoked");
    await vault("POST", "auth/token/revoke-accessor", { accessor });
    const next = secretValue();
    await put("revoked", next);
    const started = Date.now();
    await waitForSecret(app, "revoked", (d) => d.value === next, 60_000);
    t.diagnostic(`recovered ${Date.now() - started} ms after the revocation`);
    assert.ok((await logins()) > before, "a new login");
    await eventually(async () => (await accessorOf("revoked")) !== accessor, {
      message: "a new token is recorded",
    });
    await waitForCondition("VaultStaticSecret", app, "revoked", "SecretSynced", isTrue);
  });

  test("revoked while logging in is impossible: a clear condition, the last data stays, then recovery", async (t) => {
    const { value } = await synced("nologin", { policies: [readPolicy] });
    await waitForSecret(app, "nologin", (d) => d.value === value, 60_000);
    // The role goes, then the token: every login is refused from now on.
    await vault("DELETE", `auth/kubernetes/role/${s.opNs}-nologin`);
    await vault("POST", "auth/token/revoke-accessor", { accessor: await accessorOf("nologin") });
    const next = secretValue();
    await put("nologin", next);
    const failed = await waitForCondition(
      "VaultStaticSecret",
      app,
      "nologin",
      "SecretSynced",
      isFalse,
      60_000,
    );
    t.diagnostic(`${failed.reason}: ${failed.message}`);
    assert.equal(failed.reason, "VaultClientError");
    // The read found the token revoked, and the login that should replace it was refused.
    assert.match(failed.message, /auth\/kubernetes\/login: HTTP 400: invalid role name/);
    assert.equal(dataOf("nologin")?.value, value, "the Secret keeps its last good data");
    await kubernetesRole(s, `${s.opNs}-nologin`, [app], { policies: [readPolicy] });
    const restored = Date.now();
    await waitForSecret(app, "nologin", (d) => d.value === next, 90_000);
    t.diagnostic(`recovered ${Date.now() - restored} ms after the role came back`);
    await waitForCondition("VaultStaticSecret", app, "nologin", "SecretSynced", isTrue);
  });

  test("a short-TTL role: tokens are renewed and replaced at their max TTL, and the sync never stops", async (t) => {
    const { value } = await synced("short", { policies: [readPolicy], ttl: "3s", maxTtl: "6s" });
    await waitForSecret(app, "short", (d) => d.value === value, 60_000);
    const before = await logins();
    // Three max TTLs: every change in Vault still arrives.
    for (let i = 0; i < 3; i++) {
      await sleep(6_000);
      const next = secretValue();
      await put("short", next);
      await waitForSecret(app, "short", (d) => d.value === next, 30_000);
    }
    const after = await logins();
    t.diagnostic(`${after - before} logins over 18 s of 6-second tokens`);
    assert.ok(after - before >= 2, "new logins replaced the expiring tokens");
    await waitForCondition("VaultStaticSecret", app, "short", "SecretSynced", isTrue);
  });

  test("expired while the operator was frozen (SIGSTOP past the token's TTL): replaced on resume", async (t) => {
    const { value } = await synced("frozen", { policies: [readPolicy], ttl: "4s", maxTtl: "4s" });
    await waitForSecret(app, "frozen", (d) => d.value === value, 60_000);
    const accessor = await accessorOf("frozen");
    const pid = keyport.child.pid;
    keyport.child.kill("SIGSTOP");
    try {
      await sleep(7_000);
      const lookup = await vault("POST", "auth/token/lookup-accessor", { accessor }).catch(() => undefined);
      assert.equal(lookup, undefined, "Vault no longer knows the token");
    } finally {
      keyport.child.kill("SIGCONT");
    }
    const next = secretValue();
    await put("frozen", next);
    const resumed = Date.now();
    await waitForSecret(app, "frozen", (d) => d.value === next, 60_000);
    t.diagnostic(`synced ${Date.now() - resumed} ms after resuming`);
    await assertSurvived(keyport, pid);
  });

  test("its policy overwritten to deny: a 403 condition, the last data stays; restored, it recovers", async (t) => {
    // A policy of its own, so that the other scenarios' tokens keep reading.
    const own = `${readPolicy}-denied`;
    await policy(s, own, allowHcl);
    const { value } = await synced("denied", { policies: [own] });
    await waitForSecret(app, "denied", (d) => d.value === value, 60_000);
    await policy(s, own, denyHcl);
    try {
      const next = secretValue();
      await put("denied", next);
      const failed = await waitForCondition(
        "VaultStaticSecret",
        app,
        "denied",
        "SecretSynced",
        isFalse,
        60_000,
      );
      t.diagnostic(`${failed.reason}: ${failed.message}`);
      assert.equal(failed.reason, "VaultClientError");
      assert.match(failed.message, /permission denied|403/i);
      assert.equal(dataOf("denied")?.value, value, "the Secret keeps its last good data");
      await policy(s, own, allowHcl);
      const restored = Date.now();
      await waitForSecret(app, "denied", (d) => d.value === next, 90_000);
      t.diagnostic(`recovered ${Date.now() - restored} ms after the policy was restored`);
      await waitForCondition("VaultStaticSecret", app, "denied", "SecretSynced", isTrue);
    } finally {
      await policy(s, own, allowHcl);
    }
  });

  test("a role that grants too little, then enough: the 403 is reported, then a new login picks up the policy", async (t) => {
    await kubernetesRole(s, `${s.opNs}-grant`, [app], { policies: [denyPolicy] });
    const value = secretValue();
    await put("grant", value);
    applyAll(
      resource("VaultAuth", app, "grant", {
        vaultConnectionRef: "vault",
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role: `${s.opNs}-grant`, serviceAccount: "default", audiences: ["vault"] },
      }),
      resource("VaultStaticSecret", app, "grant", {
        vaultAuthRef: "grant",
        type: "kv-v2",
        mount: "kvv2",
        path: `${kv}/grant`,
        destination: { name: "grant", create: true },
      }),
    );
    const failed = await waitForCondition("VaultStaticSecret", app, "grant", "SecretSynced", isFalse, 60_000);
    t.diagnostic(`${failed.reason}: ${failed.message}`);
    assert.equal(failed.reason, "VaultClientError");
    assert.match(failed.message, /permission denied|403/i);
    // Vault fixes a token's policies at login: only a new login can pick up the new grant. Keyport
    // logs in again after a 403 once the token is 30 s old (VSO #1185).
    await kubernetesRole(s, `${s.opNs}-grant`, [app], { policies: [readPolicy] });
    const granted = Date.now();
    await waitForSecret(app, "grant", (d) => d.value === value, 120_000);
    t.diagnostic(`synced ${Date.now() - granted} ms after the role was granted the policy`);
    await waitForCondition("VaultStaticSecret", app, "grant", "SecretSynced", isTrue);
  });

  test("the operator survived all of it", async () => {
    await assertSurvived(keyport, keyport.child.pid);
  });
});
