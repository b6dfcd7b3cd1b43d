// The token lifecycle and the client cache against the real OpenBao: one login per identity under
// concurrency, renewal, a new login after the token is revoked behind our back, revocation on
// prune, and adoption of a token that survived a restart.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import type { AuthStrategy } from "../../../src/vault/auth/strategy.ts";
import { tokenAuth } from "../../../src/vault/auth/token.ts";
import { type ClientCacheObserver, VaultClientCache } from "../../../src/vault/cache.ts";
import type { ClientIdentity } from "../../../src/vault/cache-key.ts";
import { VaultClient } from "../../../src/vault/client.ts";
import { readKvV2 } from "../../../src/vault/engines/kv.ts";
import { isLeaseNotFound, renewLease, revokeLease } from "../../../src/vault/engines/sys.ts";
import { isVaultError } from "../../../src/vault/errors.ts";
import { TokenSession } from "../../../src/vault/token.ts";
import {
  closeVaultClients,
  env,
  lookupAccessor,
  rootClient,
  serviceAccountJwt,
  uid,
  unique,
  vaultHttp,
} from "../../support/vault-env.ts";

const caches: VaultClientCache[] = [];
after(async () => {
  for (const cache of caches) await cache.prune(() => true);
  await closeVaultClients();
});

let identities = 0;
function identity(): ClientIdentity {
  identities++;
  return {
    authMethod: "kubernetes",
    authUID: uid(process.pid * 1000 + identities),
    authGeneration: 1,
    connectionUID: uid(1),
    connectionGeneration: 1,
    providerUID: `demo-sa-${process.pid}-${identities}`,
  };
}

function counted() {
  const counts = { logins: 0, jwtsMinted: 0, replaced: 0 };
  const observer: ClientCacheObserver = {
    onLogin: () => counts.logins++,
    onTokenReplaced: () => counts.replaced++,
  };
  const cache = new VaultClientCache({ observer });
  caches.push(cache);
  const auth: AuthStrategy = kubernetesAuth({
    mount: env().fixtures.kubernetesAuthMount,
    role: env().fixtures.role,
    jwt: () => {
      counts.jwtsMinted++;
      return serviceAccountJwt();
    },
  });
  const http = vaultHttp();
  return { cache, counts, source: () => ({ http, auth }) };
}

async function writeSecret(): Promise<string> {
  const path = unique("lifecycle");
  await rootClient().write(`${env().fixtures.kvV2Mount}/data/${path}`, { data: { value: path } });
  return path;
}

describe("client cache", () => {
  test("50 concurrent users of one identity cause exactly one login", async () => {
    const { cache, counts, source } = counted();
    const id = identity();
    const clients = await Promise.all(Array.from({ length: 50 }, () => cache.get(id, source)));
    assert.equal(counts.logins, 1);
    assert.equal(counts.jwtsMinted, 1);
    assert.equal(new Set(clients.map((c) => c.session.describe()?.accessor)).size, 1);
    const path = await writeSecret();
    const reads = await Promise.all(
      clients.map((c) => readKvV2(c.client, { mount: env().fixtures.kvV2Mount, path })),
    );
    assert.ok(reads.every((r) => r.data.value === path));
  });

  test("a token revoked behind our back is replaced on the next request, once", async () => {
    const { cache, counts, source } = counted();
    const id = identity();
    const { client, session } = await cache.get(id, source);
    const path = await writeSecret();
    await readKvV2(client, { mount: env().fixtures.kvV2Mount, path });
    const first = session.describe()?.accessor;
    assert.ok(first);
    await rootClient().write("auth/token/revoke-accessor", { accessor: first });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => readKvV2(client, { mount: env().fixtures.kvV2Mount, path })),
    );
    assert.ok(results.every((r) => r.data.value === path));
    assert.equal(counts.logins, 2);
    assert.equal(counts.replaced, 1);
    const second = session.describe()?.accessor;
    assert.notEqual(second, first);
    assert.ok(await lookupAccessor(second ?? ""));
  });

  test("prune revokes the pruned identity's token and keeps the others", async () => {
    const { cache, source } = counted();
    const keep = await cache.get(identity(), source);
    const drop = await cache.get({ ...identity(), authGeneration: 1 }, source);
    const dropAccessor = drop.session.describe()?.accessor ?? "";
    const removed = await cache.prune((e) => e.key === drop.parentKey);
    assert.deepEqual(removed, [drop.parentKey]);
    assert.equal(await lookupAccessor(dropAccessor), undefined, "revoked in Vault");
    assert.ok(await lookupAccessor(keep.session.describe()?.accessor ?? ""), "the other token lives");
  });

  test("prune leaves a static token alone", async () => {
    const created = await rootClient().write("auth/token/create", {
      policies: [env().fixtures.policy],
      ttl: "1h",
    });
    const token = created.auth?.client_token ?? "";
    const cache = new VaultClientCache();
    caches.push(cache);
    const http = vaultHttp();
    await cache.get({ ...identity(), authMethod: "token" }, () => ({ http, auth: tokenAuth({ token }) }));
    await cache.prune(() => true);
    assert.ok(await lookupAccessor(created.auth?.accessor ?? ""), "still valid");
  });
});

describe("token session", () => {
  const auth = () =>
    kubernetesAuth({
      mount: env().fixtures.kubernetesAuthMount,
      role: env().fixtures.role,
      jwt: () => serviceAccountJwt(),
    });

  test("renew-self extends the same token", async () => {
    const session = new TokenSession({ http: vaultHttp(), auth: auth() });
    await session.token();
    const before = session.describe();
    const seenBefore = await lookupAccessor(before?.accessor ?? "");
    assert.equal(seenBefore?.last_renewal_time ?? 0, 0);
    const renewed = await session.renewNow();
    assert.equal(renewed.accessor, before?.accessor);
    assert.equal(renewed.ttlSeconds, 3600);
    const seenAfter = await lookupAccessor(renewed.accessor);
    assert.ok(Number(seenAfter?.last_renewal_time) > 0, "Vault recorded the renewal");
    await session.revoke();
    assert.equal(await lookupAccessor(renewed.accessor), undefined, "revoke-self revoked it");
  });

  test("a token persisted before a restart is adopted, not replaced", async () => {
    const first = new TokenSession({ http: vaultHttp(), auth: auth() });
    const token = await first.token();
    const accessor = first.describe()?.accessor;
    first.close();
    let logins = 0;
    const restarted = new TokenSession({
      http: vaultHttp(),
      auth: auth(),
      initialToken: token,
      observer: { onLogin: () => logins++ },
    });
    assert.equal(await restarted.token(), token);
    assert.equal(restarted.describe()?.accessor, accessor);
    assert.equal(restarted.describe()?.ttlSeconds, 3600, "renewed at adoption");
    await restarted.revoke();
    // A revoked persisted token is not adopted: a fresh login replaces it.
    const again = new TokenSession({ http: vaultHttp(), auth: auth(), initialToken: token });
    assert.notEqual(await again.token(), token);
    await again.revoke();
    assert.equal(logins, 1);
  });
});

describe("leases", () => {
  test("a database lease is renewed, then revoked, then unknown", async () => {
    const session = new TokenSession({
      http: vaultHttp(),
      auth: kubernetesAuth({
        mount: env().fixtures.kubernetesAuthMount,
        role: env().fixtures.role,
        jwt: () => serviceAccountJwt(),
      }),
    });
    const client = new VaultClient({ http: vaultHttp(), tokens: session });
    const creds = await client.read(`${env().fixtures.databaseMount}/creds/${env().fixtures.databaseRole}`);
    const leaseId = creds.lease_id ?? "";
    assert.ok(leaseId.startsWith(`${env().fixtures.databaseMount}/creds/`));
    const renewed = await renewLease(client, leaseId, { incrementSeconds: 1800 });
    assert.equal(renewed.leaseId, leaseId);
    assert.equal(renewed.leaseDurationSeconds, 1800);
    await revokeLease(client, leaseId);
    await assert.rejects(
      renewLease(client, leaseId),
      (e: unknown) => isVaultError(e, "InvalidRequest") && isLeaseNotFound(e),
    );
    await session.revoke();
  });
});
