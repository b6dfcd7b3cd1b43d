// The VaultDynamicSecret request against the real OpenBao and PostgreSQL, through a token that holds
// only the keyport policy: database credentials read, renewed and revoked; a static role's rotation
// metadata; PUT with params; numbers kept exactly as Vault wrote them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { goMarshal, JsonNumber } from "../../../src/sync/go-json.ts";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import { VaultClient } from "../../../src/vault/client.ts";
import {
  isStaticCreds,
  requestDynamicSecret,
  staticCredsMetadata,
} from "../../../src/vault/engines/secrets.ts";
import { isLeaseNotFound, renewLease, revokeLease } from "../../../src/vault/engines/sys.ts";
import { isVaultError } from "../../../src/vault/errors.ts";
import { TokenSession } from "../../../src/vault/token.ts";
import {
  closeVaultClients,
  env,
  rootClient,
  serviceAccountJwt,
  unique,
  vaultHttp,
} from "../../support/vault-env.ts";

let client: VaultClient;
let session: TokenSession;

before(() => {
  const http = vaultHttp();
  const f = env().fixtures;
  session = new TokenSession({
    http,
    auth: kubernetesAuth({ mount: f.kubernetesAuthMount, role: f.role, jwt: () => serviceAccountJwt() }),
  });
  client = new VaultClient({ http, tokens: session });
});

after(async () => {
  await session.revoke();
  await closeVaultClients();
});

/** Vault's view of a lease, or undefined once it is gone. */
async function lookupLease(leaseId: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await rootClient().write("sys/leases/lookup", { lease_id: leaseId })).data ?? undefined;
  } catch (error) {
    if (isVaultError(error, "InvalidRequest")) return undefined;
    throw error;
  }
}

describe("database credentials", () => {
  test("GET creds/app: a renewable lease with a username and password; renew; revoke", async () => {
    const f = env().fixtures;
    const secret = await requestDynamicSecret(client, {
      mount: f.databaseMount,
      path: `creds/${f.databaseRole}`,
    });
    assert.ok(secret.leaseId.startsWith(`${f.databaseMount}/creds/${f.databaseRole}/`));
    assert.ok(secret.requestId !== "");
    assert.equal(secret.leaseDurationSeconds, 3600);
    assert.equal(secret.renewable, true);
    assert.equal(typeof secret.data.username, "string");
    assert.equal(typeof secret.data.password, "string");
    assert.deepEqual(staticCredsMetadata(secret.data), {
      lastVaultRotation: 0,
      rotationPeriod: 0,
      rotationSchedule: "",
      ttl: 0,
    });

    const renewed = await renewLease(client, secret.leaseId, { incrementSeconds: 1800 });
    assert.equal(renewed.leaseDurationSeconds, 1800);
    assert.ok(await lookupLease(secret.leaseId), "the lease exists before revocation");

    await revokeLease(client, secret.leaseId);
    assert.equal(await lookupLease(secret.leaseId), undefined);
    await assert.rejects(renewLease(client, secret.leaseId), (e: unknown) => isLeaseNotFound(e));
  });

  test("POST is sent as PUT: creds/ serves reads only, so Vault answers 405", async () => {
    const f = env().fixtures;
    await assert.rejects(
      requestDynamicSecret(rootClient(), {
        mount: f.databaseMount,
        path: `creds/${f.databaseRole}`,
        method: "POST",
      }),
      (e: unknown) => isVaultError(e) && e.status === 405,
    );
  });

  test("a path that does not exist is an error, not an empty secret", async () => {
    const f = env().fixtures;
    await assert.rejects(
      requestDynamicSecret(client, { mount: f.databaseMount, path: "creds/no-such-role" }),
      (e: unknown) => isVaultError(e),
    );
  });

  test("static-creds: rotation metadata read as VSO reads it", async () => {
    const f = env().fixtures;
    const root = rootClient();
    // A static role needs an existing database user: borrow one from a dynamic lease.
    const user = await requestDynamicSecret(root, {
      mount: f.databaseMount,
      path: `creds/${f.databaseRole}`,
    });
    const staticRole = unique("static");
    await root.write(`${f.databaseMount}/static-roles/${staticRole}`, {
      db_name: "postgres",
      username: user.data.username,
      rotation_period: "3600",
    });
    try {
      const secret = await requestDynamicSecret(client, {
        mount: f.databaseMount,
        path: `static-creds/${staticRole}`,
      });
      assert.equal(secret.leaseId, "");
      assert.equal(secret.data.username, user.data.username);
      assert.notEqual(secret.data.password, user.data.password, "Vault rotated the password");
      const meta = staticCredsMetadata(secret.data);
      assert.equal(meta.rotationPeriod, 3600);
      assert.ok(meta.ttl > 0 && meta.ttl <= 3600);
      assert.ok(meta.lastVaultRotation > 0);
      assert.equal(
        meta.lastVaultRotation,
        Math.floor(Date.parse(String(secret.data.last_vault_rotation)) / 1000),
      );
      assert.equal(isStaticCreds(meta), true);
    } finally {
      await root.delete(`${f.databaseMount}/static-roles/${staticRole}`);
      await revokeLease(root, user.leaseId);
    }
  });
});

describe("other engines", () => {
  test("params make it a PUT: a PKI issue through the generic request, numbers exact", async () => {
    const f = env().fixtures;
    const secret = await requestDynamicSecret(client, {
      mount: f.pkiIntMount,
      path: `issue/${f.pkiRole}`,
      method: "GET",
      params: { common_name: "dynamic.example.com", ttl: "1h" },
    });
    assert.equal(secret.leaseId, "");
    assert.ok(secret.data.expiration instanceof JsonNumber);
    assert.match(goMarshal({ expiration: secret.data.expiration ?? null }), /^\{"expiration":[0-9]+\}$/);
  });

  test("numbers that JSON.parse would change keep their literal text, as _raw needs", async () => {
    const f = env().fixtures;
    const path = `${unique("dyn")}/numbers`;
    // JSON.rawJSON puts the literals on the wire unchanged; Vault stores them as json.Number.
    const raw = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
    await rootClient().write(`${f.kvV1Mount}/${path}`, {
      big: raw("12345678901234567890"),
      float: raw("1.0"),
      nested: { n: raw("1e3") },
    });
    const secret = await requestDynamicSecret(client, { mount: f.kvV1Mount, path });
    assert.equal(goMarshal(secret.data), '{"big":12345678901234567890,"float":1.0,"nested":{"n":1e3}}');
    assert.notEqual(
      JSON.stringify(JSON.parse('{"big":12345678901234567890}')),
      '{"big":12345678901234567890}',
    );
  });
});
