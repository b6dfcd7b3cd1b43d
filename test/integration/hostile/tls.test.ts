// Issue 9, item 11: TLS to Vault. test/integration/operator/tls.test.ts already proves a wrong CA,
// a missing client certificate and a client certificate rotated in its Secret without a restart;
// this file adds what it does not: verification is on by default (no CA given means the system
// store, which does not trust a private CA, and nothing is sent), and a server certificate that
// has expired — from a real second OpenBao whose certificate is right in every way but its dates
// — is refused with a clear condition even though its CA is trusted.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { type ExpiredVault, startExpiredVault } from "../../support/hostile/expired-vault.ts";
import { assertSurvived } from "../../support/hostile/operator-health.ts";
import { conditionOf, statusOf } from "../../support/hostile/resources.ts";
import { kubernetesRole, prepare, scenario, start, teardown } from "../../support/hostile/scenario.ts";
import { getJson, type KeyportProcess, metricValue, sleep, uniqueName } from "../../support/keyport.ts";
import { applyAll, isFalse, resource, secret, secretExists } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const s = scenario("tls", 1);
const app = s.namespaces[0] as string;
const role = uniqueName("hostile-tls");
let keyport: KeyportProcess;
let expired: ExpiredVault;

async function logins(): Promise<number> {
  return metricValue(await keyport.metrics(), "keyport_vault_logins_total");
}

/** A VaultAuth and a VaultStaticSecret through `connection`: it must stay unsynced, with no login. */
async function nothingSentThrough(connection: string): Promise<void> {
  const before = await logins();
  applyAll(
    resource("VaultAuth", app, connection, {
      vaultConnectionRef: connection,
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
    }),
    resource("VaultStaticSecret", app, connection, {
      vaultAuthRef: connection,
      type: "kv-v2",
      mount: "kvv2",
      path: "hostile/tls",
      destination: { name: connection, create: true },
    }),
  );
  const synced = await conditionOf("VaultStaticSecret", app, connection, "SecretSynced", isFalse);
  assert.match(synced.message, /TLS|certificate/i);
  await sleep(1_000);
  assert.equal(secretExists(app, connection), false);
  assert.equal(await logins(), before, "no login was sent over the refused connection");
}

before(async () => {
  prepare(s);
  await kubernetesRole(s, role, [app], { policies: ["keyport"] });
  expired = await startExpiredVault(testEnv());
  applyAll(secret(app, "vault-ca", { "ca.crt": readFileSync(testEnv().vault.caFile, "utf8") }));
  keyport = await start(s);
});

after(async () => {
  await teardown(s);
  expired?.stop();
  await closeAgents();
});

describe("TLS to Vault", () => {
  test("verification is on by default: no CA and no skipTLSVerify refuses a private CA's server", async (t) => {
    applyAll(resource("VaultConnection", app, "no-ca", { address: testEnv().vault.tlsAddr }));
    const healthy = await conditionOf("VaultConnection", app, "no-ca", "Healthy", isFalse);
    t.diagnostic(`${healthy.reason}: ${healthy.message}`);
    assert.equal(healthy.reason, "TLSError");
    assert.match(healthy.message, /self[- ]signed|unable to (get|verify)|certificate/i);
    assert.equal(statusOf("VaultConnection", app, "no-ca")?.valid, false);
    const stored = getJson<{ spec: { skipTLSVerify?: boolean } }>("vaultconnection", app, "no-ca");
    assert.equal(stored?.spec.skipTLSVerify, false, "the schema defaults skipTLSVerify to false");
    await nothingSentThrough("no-ca");
  });

  test("an expired server certificate from a trusted CA: Healthy False with TLSError saying it expired", async (t) => {
    const cert = new X509Certificate(readFileSync(expired.certFile));
    assert.ok(Date.parse(cert.validTo) < Date.now(), `the server certificate ended ${cert.validTo}`);
    applyAll(
      resource("VaultConnection", app, "expired", { address: expired.tlsAddr, caCertSecretRef: "vault-ca" }),
    );
    const healthy = await conditionOf("VaultConnection", app, "expired", "Healthy", isFalse);
    t.diagnostic(`${healthy.reason}: ${healthy.message}`);
    assert.equal(healthy.reason, "TLSError");
    assert.match(healthy.message, /expired/i);
    await nothingSentThrough("expired");
  });

  test("the operator survived all of it", async () => {
    await assertSurvived(keyport, keyport.child.pid);
  });
});
