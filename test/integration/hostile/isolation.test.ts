// Issue 9, item 8: a resource in namespace B reaching for what belongs to namespace A. What
// test/integration/operator/isolation.test.ts proves already (a VaultAuth and a VaultAuthGlobal of
// A are refused unless A lists B in allowedNamespaces) is not repeated; this file covers the
// credentials behind them: even through a VaultAuth that A shares, the ServiceAccount, the token
// Secret and the appRole secret-id are looked up in B, never in A; a VaultConnection in B cannot
// name A's CA or client-certificate Secret. Each attempt ends in a clear condition, writes no
// Secret and makes no Vault read.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { assertSurvived } from "../../support/hostile/operator-health.ts";
import { conditionOf, statusOf } from "../../support/hostile/resources.ts";
import { prepare, scenario, start, teardown } from "../../support/hostile/scenario.ts";
import { recordSecretValues } from "../../support/hostile/secrecy.ts";
import {
  type KeyportProcess,
  kubectl,
  metricValue,
  sleep,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { applyAll, isFalse, isTrue, resource, secret, secretExists } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const s = scenario("iso", 2);
const [nsA, nsB] = s.namespaces as [string, string];
const kv = uniqueName("hostile-iso");
const role = uniqueName("hostile-iso");
let keyport: KeyportProcess;
let tokenAccessor = "";

const pem = (file: string) => readFileSync(file, "utf8");

/**
 * The operator's Vault logins so far. A refused resource has no token of its own: with no login
 * for its identity, nothing can have been read as it (the refusal comes before the Vault client).
 */
async function vaultLogins(): Promise<number> {
  return metricValue(await keyport.metrics(), "keyport_vault_logins_total");
}

async function value(path: string): Promise<string> {
  const v = `iso-${uniqueName("v")}-${Math.random().toString(36).slice(2)}`;
  recordSecretValues(testEnv().runDir, [{ value: v, origin: "isolation.test.ts KV value" }]);
  await vault("POST", `kvv2/data/${kv}/${path}`, { data: { value: v } });
  return v;
}

function vss(namespace: string, name: string, vaultAuthRef: string) {
  return resource("VaultStaticSecret", namespace, name, {
    vaultAuthRef,
    type: "kv-v2",
    mount: "kvv2",
    path: `${kv}/${name}`,
    refreshAfter: "1h",
    destination: { name, create: true },
  });
}

/** Refused with VaultClientConfigError and `message`; no Secret, and no Vault login meanwhile. */
async function refusedWithoutReading(namespace: string, name: string, message: RegExp): Promise<void> {
  const logins = await vaultLogins();
  const c = await conditionOf("VaultStaticSecret", namespace, name, "SecretSynced", isFalse);
  assert.equal(c.reason, "VaultClientConfigError");
  assert.match(c.message, message);
  await sleep(1_500);
  assert.equal(secretExists(namespace, name), false, `no Secret ${namespace}/${name}`);
  assert.equal(await vaultLogins(), logins, "no Vault login was made for it, so nothing was read as it");
}

before(async () => {
  prepare(s);
  s.vaultCleanup.push(`kvv2/metadata/${kv}`);
  // The role admits ServiceAccount only-in-a from both namespaces: Vault would accept either; what
  // keeps B out of A's identity is Keyport resolving the ServiceAccount in B.
  await vault("POST", `auth/kubernetes/role/${role}`, {
    bound_service_account_names: ["only-in-a", "default"],
    bound_service_account_namespaces: [nsA, nsB],
    audience: "vault",
    token_policies: ["keyport"],
    token_ttl: "1h",
  });
  s.vaultCleanup.push(`auth/kubernetes/role/${role}`);
  kubectl(["-n", nsA, "create", "serviceaccount", "only-in-a"]);
  const token = (await vault("POST", "auth/token/create", { policies: ["keyport"], ttl: "1h" })) as {
    auth: { client_token: string; accessor: string };
  };
  recordSecretValues(testEnv().runDir, [
    { value: token.auth.client_token, origin: "isolation.test.ts token of A" },
  ]);
  tokenAccessor = token.auth.accessor;
  const approle = uniqueName("hostile-iso");
  await vault("POST", `auth/approle/role/${approle}`, { token_policies: ["keyport"], token_ttl: "1h" });
  s.vaultCleanup.push(`auth/approle/role/${approle}`);
  const roleId = (await vault("GET", `auth/approle/role/${approle}/role-id`))?.data?.role_id as string;
  const secretId = (await vault("POST", `auth/approle/role/${approle}/secret-id`, {}))?.data
    ?.secret_id as string;
  recordSecretValues(testEnv().runDir, [{ value: secretId, origin: "isolation.test.ts secret-id of A" }]);
  const shared = { vaultConnectionRef: "vault", allowedNamespaces: [nsB] };
  applyAll(
    resource("VaultConnection", nsA, "vault", { address: testEnv().vault.addr }),
    secret(nsA, "vault-token", { token: token.auth.client_token }),
    secret(nsA, "approle-secret", { id: secretId }),
    secret(nsA, "vault-ca", { "ca.crt": pem(testEnv().vault.caFile) }),
    secret(
      nsA,
      "client-cert",
      { "tls.crt": pem(testEnv().vault.clientCertFile), "tls.key": pem(testEnv().vault.clientKeyFile) },
      "kubernetes.io/tls",
    ),
    resource("VaultAuth", nsA, "by-sa", {
      ...shared,
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "only-in-a", audiences: ["vault"] },
    }),
    resource("VaultAuth", nsA, "by-token", {
      ...shared,
      method: "token",
      token: { secretRef: "vault-token" },
    }),
    resource("VaultAuth", nsA, "by-approle", {
      ...shared,
      method: "appRole",
      mount: "approle",
      appRole: { roleId, secretRef: "approle-secret" },
    }),
  );
  keyport = await start(s);
});

after(async () => {
  await teardown(s);
  if (tokenAccessor)
    await vault("POST", "auth/token/revoke-accessor", { accessor: tokenAccessor }).catch(() => undefined);
  await closeAgents();
});

describe("credentials stay in their namespace, even through a shared VaultAuth", () => {
  test("A's own resources log in with A's ServiceAccount, token and secret-id", async () => {
    const expected: Record<string, string> = {};
    for (const auth of ["by-sa", "by-token", "by-approle"]) {
      expected[auth] = await value(`a-${auth}`);
      applyAll(vss(nsA, `a-${auth}`, auth));
    }
    for (const auth of Object.keys(expected)) {
      await waitForSecret(nsA, `a-${auth}`, (d) => d.value === expected[auth], 60_000);
    }
  });

  test("B through A's kubernetes VaultAuth: the ServiceAccount is looked up in B, not borrowed from A", async () => {
    const v = await value("b-by-sa");
    applyAll(vss(nsB, "b-by-sa", `${nsA}/by-sa`));
    await refusedWithoutReading(nsB, "b-by-sa", new RegExp(`ServiceAccount ${nsB}/only-in-a not found`));
    // B's own ServiceAccount of that name is B's identity; with it, B syncs.
    kubectl(["-n", nsB, "create", "serviceaccount", "only-in-a"]);
    await waitForSecret(nsB, "b-by-sa", (d) => d.value === v, 90_000);
  });

  test("B through A's token VaultAuth: A's Vault token Secret is never read", async () => {
    await value("b-by-token");
    applyAll(vss(nsB, "b-by-token", `${nsA}/by-token`));
    await refusedWithoutReading(nsB, "b-by-token", new RegExp(`Secret ${nsB}/vault-token not found`));
  });

  test("B through A's appRole VaultAuth: A's secret-id Secret is never read", async () => {
    await value("b-by-approle");
    applyAll(vss(nsB, "b-by-approle", `${nsA}/by-approle`));
    await refusedWithoutReading(nsB, "b-by-approle", new RegExp(`Secret ${nsB}/approle-secret not found`));
  });
});

describe("a VaultConnection in B cannot name A's Secrets", () => {
  for (const [field, ref] of [
    ["caCertSecretRef", "A/vault-ca"],
    ["caCertSecretRef", "../../A/secrets/vault-ca"],
    ["clientCertSecretRef", "A/client-cert"],
  ] as const) {
    test(`${field}: ${JSON.stringify(ref).replaceAll("A", "<A>")} is a name in B, not found; the connection is not used`, async () => {
      const name = uniqueName("conn");
      const target = ref.replace("A", nsA);
      applyAll(
        resource("VaultConnection", nsB, name, {
          address: field === "caCertSecretRef" ? testEnv().vault.tlsAddr : testEnv().vault.mtlsAddr,
          ...(field === "clientCertSecretRef" ? { caCertSecretRef: "own-ca" } : {}),
          [field]: target,
        }),
        secret(nsB, "own-ca", { "ca.crt": pem(testEnv().vault.caFile) }),
      );
      const healthy = await conditionOf("VaultConnection", nsB, name, "Healthy", isFalse);
      assert.equal(healthy.reason, "VaultClientConfigError");
      assert.match(healthy.message, /not found|invalid/i);
      assert.doesNotMatch(healthy.message, new RegExp(`Secret ${nsA}/`), "never resolved in A");
      assert.equal(statusOf("VaultConnection", nsB, name)?.valid, false);
    });
  }

  test("with its own CA and client certificate, B connects: the refusals were about whose Secret, not TLS", async () => {
    applyAll(
      secret(
        nsB,
        "own-client-cert",
        { "tls.crt": pem(testEnv().vault.clientCertFile), "tls.key": pem(testEnv().vault.clientKeyFile) },
        "kubernetes.io/tls",
      ),
      resource("VaultConnection", nsB, "own-mtls", {
        address: testEnv().vault.mtlsAddr,
        caCertSecretRef: "own-ca",
        clientCertSecretRef: "own-client-cert",
      }),
    );
    await conditionOf("VaultConnection", nsB, "own-mtls", "Healthy", isTrue);
  });

  test("a VaultConnection of A that lists allowedNamespaces (Keyport extension) is refused to B's VaultAuth", async () => {
    applyAll(
      resource("VaultConnection", nsA, "a-only", {
        address: testEnv().vault.mtlsAddr,
        caCertSecretRef: "vault-ca",
        clientCertSecretRef: "client-cert",
        allowedNamespaces: [nsA],
      }),
      resource("VaultAuth", nsB, "via-a-conn", {
        vaultConnectionRef: `${nsA}/a-only`,
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
      vss(nsB, "via-a-conn", "via-a-conn"),
    );
    await value("via-a-conn");
    await refusedWithoutReading(
      nsB,
      "via-a-conn",
      new RegExp(`VaultConnection ${nsA}/a-only does not allow namespace ${nsB}`),
    );
  });

  test("a SecretTransformation of A that lists allowedNamespaces (Keyport extension) is refused to B", async () => {
    applyAll(
      resource("SecretTransformation", nsA, "a-shapes", {
        templates: { shaped: { text: "{{ .Secrets.value }}" } },
        allowedNamespaces: [nsA],
      }),
      resource("VaultAuth", nsB, "own", {
        vaultConnectionRef: `${nsA}/vault`,
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
      resource("VaultStaticSecret", nsB, "shaped", {
        vaultAuthRef: "own",
        type: "kv-v2",
        mount: "kvv2",
        path: `${kv}/shaped`,
        refreshAfter: "1h",
        destination: {
          name: "shaped",
          create: true,
          transformation: { transformationRefs: [{ namespace: nsA, name: "a-shapes" }] },
        },
      }),
    );
    await value("shaped");
    const c = await conditionOf("VaultStaticSecret", nsB, "shaped", "SecretSynced", isFalse);
    assert.match(
      c.message,
      new RegExp(`SecretTransformation ${nsA}/a-shapes does not allow namespace ${nsB}`),
    );
    assert.equal(secretExists(nsB, "shaped"), false);
  });

  test("the operator survived all of it", async () => {
    await assertSurvived(keyport, keyport.child.pid);
  });
});
