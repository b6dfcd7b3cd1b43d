// VaultConnection over TLS and mTLS against OpenBao's real listeners: a CA from a Secret (VSO)
// or a ConfigMap (Keyport), a client certificate from a kubernetes.io/tls Secret (Keyport), the
// conditions a wrong CA or a missing/refused certificate gives, and a client certificate
// replaced in its Secret while the operator keeps running.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { callJson, closeAgents } from "../../../tools/testenv/http.ts";
import {
  createNamespace,
  installCrds,
  type KeyportProcess,
  kubernetesRole,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import {
  applyAll,
  type Condition,
  configMap,
  isFalse,
  isTrue,
  resource,
  secret,
  secretExists,
  view,
  waitForCondition,
} from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const opNs = uniqueName("keyport");
const app = uniqueName("tls");
const role = uniqueName("tls");
let keyport: KeyportProcess;

const pem = (file: string) => readFileSync(file, "utf8");
const vaultCa = () => pem(testEnv().vault.caFile);
const goodClient = () => ({
  "tls.crt": pem(testEnv().vault.clientCertFile),
  "tls.key": pem(testEnv().vault.clientKeyFile),
});
const strangerClient = () => ({
  "tls.crt": pem(join(testEnv().runDir, "pki", "stranger.crt")),
  "tls.key": pem(join(testEnv().runDir, "pki", "stranger.key")),
});

/** A kubernetes-auth VaultAuth through `connection`, and a VSS through it; returns the expected value. */
async function consumer(connection: string): Promise<{ name: string; value: string }> {
  const name = `via-${connection}`;
  const value = uniqueName("v");
  await vault("POST", `kvv2/data/tls/${name}`, { data: { value } });
  applyAll(
    resource("VaultAuth", app, connection, {
      vaultConnectionRef: connection,
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
    }),
    resource("VaultStaticSecret", app, name, {
      vaultAuthRef: connection,
      type: "kv-v2",
      mount: "kvv2",
      path: `tls/${name}`,
      destination: { name, create: true },
    }),
  );
  return { name, value };
}

async function healthy(connection: string): Promise<void> {
  await waitForCondition("VaultConnection", app, connection, "Healthy", isTrue);
  assert.equal(view("VaultConnection", app, connection)?.status?.valid, true);
}

/** Healthy=False with reason TLSError, and the operator still serving. */
async function tlsFailure(connection: string, message: RegExp): Promise<Condition> {
  const condition = await waitForCondition("VaultConnection", app, connection, "Healthy", isFalse);
  assert.equal(condition.reason, "TLSError");
  assert.match(condition.message, message);
  assert.equal(view("VaultConnection", app, connection)?.status?.valid, false);
  assert.equal(keyport.child.exitCode, null, "the operator did not crash");
  assert.equal((await callJson("GET", `${keyport.healthUrl}/healthz`)).status, 200);
  return condition;
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  applyAll(
    secret(app, "vault-ca", { "ca.crt": vaultCa() }),
    configMap(app, "vault-ca", { "ca.crt": vaultCa() }),
    secret(app, "kube-ca", { "ca.crt": pem(testEnv().kube.caFile) }),
    secret(app, "client-cert", goodClient(), "kubernetes.io/tls"),
  );
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("VaultConnection over TLS", () => {
  test("CA from a Secret (caCertSecretRef): Healthy, and a secret syncs through it", async () => {
    applyAll(
      resource("VaultConnection", app, "ca-secret", {
        address: testEnv().vault.tlsAddr,
        caCertSecretRef: "vault-ca",
      }),
    );
    await healthy("ca-secret");
    const { name, value } = await consumer("ca-secret");
    await waitForSecret(app, name, (d) => d.value === value, 60_000);
  });

  test("CA from a ConfigMap (caCertConfigMapRef, Keyport extension)", async () => {
    applyAll(
      resource("VaultConnection", app, "ca-configmap", {
        address: testEnv().vault.tlsAddr,
        caCertConfigMapRef: "vault-ca",
      }),
    );
    await healthy("ca-configmap");
    const { name, value } = await consumer("ca-configmap");
    await waitForSecret(app, name, (d) => d.value === value, 60_000);
  });

  test("a wrong CA: Healthy False with a TLS reason, no crash, nothing synced; fixing the CA heals it", async (t) => {
    applyAll(
      secret(app, "wrong-ca", { "ca.crt": pem(testEnv().kube.caFile) }),
      resource("VaultConnection", app, "wrong-ca", {
        address: testEnv().vault.tlsAddr,
        caCertSecretRef: "wrong-ca",
      }),
    );
    t.diagnostic((await tlsFailure("wrong-ca", /unable to verify the first certificate/)).message);
    const { name, value } = await consumer("wrong-ca");
    const synced = await waitForCondition("VaultStaticSecret", app, name, "SecretSynced", isFalse);
    assert.match(synced.message, /TLSError/);
    assert.equal(secretExists(app, name), false);
    // The CA is read again on the connection's next check: no restart, no spec change.
    applyAll(secret(app, "wrong-ca", { "ca.crt": vaultCa() }));
    await healthy("wrong-ca");
    await waitForSecret(app, name, (d) => d.value === value, 90_000);
  });

  test("a missing CA Secret is a configuration error, not a crash", async () => {
    applyAll(
      resource("VaultConnection", app, "no-ca", {
        address: testEnv().vault.tlsAddr,
        caCertSecretRef: "does-not-exist",
      }),
    );
    const condition = await waitForCondition("VaultConnection", app, "no-ca", "Healthy", isFalse);
    assert.equal(condition.reason, "VaultClientConfigError");
    assert.match(condition.message, /Secret .*\/does-not-exist not found/);
    assert.equal(keyport.child.exitCode, null);
  });
});

describe("VaultConnection over mTLS (clientCertSecretRef, Keyport extension)", () => {
  test("with the client certificate: Healthy, and a secret syncs through it", async () => {
    applyAll(
      resource("VaultConnection", app, "mtls", {
        address: testEnv().vault.mtlsAddr,
        caCertSecretRef: "vault-ca",
        clientCertSecretRef: "client-cert",
      }),
    );
    await healthy("mtls");
    const { name, value } = await consumer("mtls");
    await waitForSecret(app, name, (d) => d.value === value, 60_000);
  });

  test("without a client certificate: Healthy False with a TLS reason", async (t) => {
    applyAll(
      resource("VaultConnection", app, "mtls-none", {
        address: testEnv().vault.mtlsAddr,
        caCertSecretRef: "vault-ca",
      }),
    );
    t.diagnostic((await tlsFailure("mtls-none", /CERTIFICATE_REQUIRED/)).message);
  });

  test("a rotated certificate: refused with a stranger's, then used once the Secret holds a good one", async (t) => {
    applyAll(
      secret(app, "rotating-cert", strangerClient(), "kubernetes.io/tls"),
      resource("VaultConnection", app, "mtls-rotating", {
        address: testEnv().vault.mtlsAddr,
        caCertSecretRef: "vault-ca",
        clientCertSecretRef: "rotating-cert",
      }),
    );
    t.diagnostic((await tlsFailure("mtls-rotating", /UNKNOWN_CA/)).message);
    const { name, value } = await consumer("mtls-rotating");
    await waitForCondition("VaultStaticSecret", app, name, "SecretSynced", isFalse);
    const pid = keyport.child.pid;
    applyAll(secret(app, "rotating-cert", goodClient(), "kubernetes.io/tls"));
    await healthy("mtls-rotating");
    await waitForSecret(app, name, (d) => d.value === value, 90_000);
    assert.equal(keyport.child.pid, pid);
    assert.equal(keyport.child.exitCode, null, "the same operator process, never restarted");
  });
});
