import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ClientCacheObserver, VaultClientCache } from "../../../src/vault/cache.ts";
import type { ClientIdentity } from "../../../src/vault/cache-key.ts";
import { VaultError } from "../../../src/vault/errors.ts";
import { VaultHttp } from "../../../src/vault/http.ts";
import { FakeClock, fakeAuth, fakeOperations } from "../../support/vault-fakes.ts";

// Never contacted: the fake operations stand in for every Vault call.
const http = new VaultHttp({ address: "http://127.0.0.1:1" });

function identity(n: number, extra: Partial<ClientIdentity> = {}): ClientIdentity {
  return {
    authMethod: "kubernetes",
    authUID: `00000000-0000-0000-0000-0000000000${String(n).padStart(2, "0")}`,
    authGeneration: 1,
    connectionUID: "11111111-1111-1111-1111-111111111111",
    connectionGeneration: 1,
    providerUID: `sa-${n}`,
    ...extra,
  };
}

function counting(): { observer: ClientCacheObserver; counts: Record<string, number>; removed: string[] } {
  const counts: Record<string, number> = { hit: 0, miss: 0, login: 0, loginFailure: 0 };
  const removed: string[] = [];
  const bump = (k: string) => () => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  return {
    counts,
    removed,
    observer: {
      onHit: bump("hit"),
      onMiss: bump("miss"),
      onLogin: bump("login"),
      onLoginFailure: bump("loginFailure"),
      onRemoved: (key, cause) => removed.push(`${cause} ${key}`),
    },
  };
}

describe("VaultClientCache", () => {
  test("concurrent gets for one identity share one login", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock, login: () => new Promise((r) => setTimeout(r, 5)) });
    const { observer, counts } = counting();
    const cache = new VaultClientCache({ clock, observer });
    const clients = await Promise.all(
      Array.from({ length: 50 }, () =>
        cache.get(identity(1), () => ({ http, auth: fakeAuth(), operations: ops })),
      ),
    );
    assert.equal(state.logins, 1);
    assert.equal(counts.login, 1);
    assert.equal(counts.miss, 1);
    assert.equal(counts.hit, 49);
    assert.equal(cache.size, 1);
    assert.equal(new Set(clients.map((c) => c.session)).size, 1);
    cache.close();
  });

  test("distinct identities get distinct tokens; a namespace shares its parent's", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    const cache = new VaultClientCache({ clock });
    const source = () => ({ http, auth: fakeAuth(), operations: ops });
    const a = await cache.get(identity(1), source);
    const b = await cache.get(identity(2), source);
    const aInTeam = await cache.get(identity(1, { vaultNamespace: "team-a" }), source);
    assert.equal(state.logins, 2);
    assert.notEqual(a.parentKey, b.parentKey);
    assert.equal(aInTeam.session, a.session);
    assert.equal(aInTeam.cacheKey, `${a.parentKey}-team-a`);
    assert.equal(aInTeam.client.namespace, "team-a");
    assert.equal(a.client.namespace, undefined);
    cache.close();
  });

  test("a first login that fails leaves no entry behind", async () => {
    const clock = new FakeClock();
    let fail = true;
    const { ops, state } = fakeOperations({
      clock,
      login: async () => {
        if (fail) throw new VaultError({ reason: "PermissionDenied", status: 403 });
      },
    });
    const { observer, counts, removed } = counting();
    const cache = new VaultClientCache({ clock, observer });
    const source = () => ({ http, auth: fakeAuth(), operations: ops });
    await assert.rejects(cache.get(identity(1), source), (e: unknown) => e instanceof VaultError);
    assert.equal(cache.size, 0);
    assert.equal(counts.loginFailure, 1);
    assert.equal(removed.length, 1);
    fail = false;
    await cache.get(identity(1), source);
    assert.equal(state.logins, 1);
    cache.close();
  });

  test("least recently used entries are evicted beyond maxSize, without revoking", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    const { observer, removed } = counting();
    const cache = new VaultClientCache({ clock, observer, maxSize: 2 });
    const source = () => ({ http, auth: fakeAuth(), operations: ops });
    const one = await cache.get(identity(1), source);
    const two = await cache.get(identity(2), source);
    await cache.get(identity(1), source); // 1 is now the most recent
    const three = await cache.get(identity(3), source);
    assert.deepEqual(cache.keys(), [one.parentKey, three.parentKey]);
    assert.deepEqual(removed, [`evicted ${two.parentKey}`]);
    assert.equal(two.session.closed, true);
    assert.deepEqual(state.revoked, []);
    cache.close();
  });

  test("prune removes what the predicate selects and revokes those tokens", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    const cache = new VaultClientCache({ clock });
    const source = () => ({ http, auth: fakeAuth(), operations: ops });
    const stale = await cache.get(identity(1), source);
    const current = await cache.get(identity(2, { authGeneration: 2 }), source);
    const removed = await cache.prune((e) => e.identity.authGeneration < 2);
    assert.deepEqual(removed, [stale.parentKey]);
    assert.deepEqual(cache.keys(), [current.parentKey]);
    assert.deepEqual(state.revoked, ["token-1"]);
    assert.equal(cache.entries()[0]?.token?.accessor, "accessor-token-2");
    cache.close();
  });
});
