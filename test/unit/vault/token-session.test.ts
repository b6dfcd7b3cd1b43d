import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { VaultError } from "../../../src/vault/errors.ts";
import { TokenSession } from "../../../src/vault/token.ts";
import { FakeClock, fakeAuth, fakeOperations, settle } from "../../support/vault-fakes.ts";

const forbidden = new VaultError({ reason: "PermissionDenied", status: 403, errors: ["permission denied"] });

function session(
  options: Parameters<typeof fakeOperations>[0] & { auth?: ReturnType<typeof fakeAuth> } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const { ops, state } = fakeOperations({ ...options, clock });
  const events: string[] = [];
  const s = new TokenSession({
    auth: options.auth ?? fakeAuth(),
    operations: ops,
    clock,
    observer: {
      onLogin: (info) => events.push(`login ${info.accessor}`),
      onLoginFailure: () => events.push("login-failure"),
      onRenewal: (info) => events.push(`renewal ${info.accessor}`),
      onRenewalFailure: () => events.push("renewal-failure"),
      onTokenReplaced: (previous, info) => events.push(`replaced ${previous} -> ${info.accessor}`),
    },
  });
  return { session: s, state, clock, events };
}

describe("TokenSession", () => {
  test("concurrent callers share one login", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { session: s, state } = session({ login: () => gate });
    const waiting = Array.from({ length: 25 }, () => s.token());
    release();
    const tokens = await Promise.all(waiting);
    assert.equal(state.logins, 1);
    assert.deepEqual(new Set(tokens), new Set(["token-1"]));
    assert.equal(await s.token(), "token-1");
    assert.equal(state.logins, 1);
  });

  test("a failed login is shared by its waiters and retried by the next caller", async () => {
    let fail = true;
    const {
      session: s,
      state,
      events,
    } = session({
      login: async () => {
        if (fail) throw new VaultError({ reason: "VaultUnreachable" });
      },
    });
    const results = await Promise.allSettled([s.token(), s.token(), s.token()]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["rejected", "rejected", "rejected"],
    );
    assert.deepEqual(events, ["login-failure"]);
    fail = false;
    assert.equal(await s.token(), "token-1");
    assert.equal(state.logins, 1);
  });

  test("renews at two thirds of the TTL, keeping the token", async () => {
    const { session: s, state, clock, events } = session({ ttlSeconds: 3600 });
    await s.token();
    assert.deepEqual(clock.pending, [clock.now() + 2_400_000]);
    await clock.advance(2_400_000);
    assert.equal(state.renewals, 1);
    assert.equal(await s.token(), "token-1");
    assert.equal(s.describe()?.grantedAtMs, clock.now());
    assert.deepEqual(clock.pending, [clock.now() + 2_400_000]);
    assert.deepEqual(events, ["login accessor-token-1", "renewal accessor-token-1"]);
  });

  test("when renewals stop extending the token (max TTL), logs in again before it expires", async () => {
    const clock = new FakeClock();
    const { session: s, state, events } = session({ ttlSeconds: 3600, maxTtlSeconds: 4000, clock });
    await s.token();
    await clock.advance(2_400_000); // renewal grants only 1600 s (max TTL 4000 s)
    assert.equal(state.renewals, 1);
    assert.equal(s.describe()?.ttlSeconds, 1600);
    await clock.advance(Math.floor(1600 * 1000 * (2 / 3)));
    assert.equal(state.logins, 2);
    assert.equal(await s.token(), "token-2");
    assert.deepEqual(events.slice(-2), [
      "login accessor-token-2",
      "replaced accessor-token-1 -> accessor-token-2",
    ]);
  });

  test("a failed renewal leads to a new login", async () => {
    let failing = false;
    const {
      session: s,
      state,
      clock,
      events,
    } = session({
      failRenewal: () => (failing ? new VaultError({ reason: "ServerError", status: 500 }) : undefined),
    });
    await s.token();
    failing = true;
    await clock.advance(2_400_000);
    assert.equal(state.logins, 2);
    assert.equal(await s.token(), "token-2");
    assert.ok(events.includes("renewal-failure"));
  });

  test("a token refused at renewal is not handed out while the new login runs", async () => {
    let release: () => void = () => {};
    let gated = false;
    const {
      session: s,
      state,
      clock,
    } = session({
      login: () =>
        gated
          ? new Promise<void>((resolve) => {
              release = resolve;
            })
          : Promise.resolve(),
    });
    await s.token();
    state.invalid.add("token-1");
    gated = true;
    await clock.advance(2_400_000);
    const next = s.token();
    release();
    assert.equal(await next, "token-2");
  });

  test("an expired token is never handed out: the next use logs in", async () => {
    let down = false;
    const {
      session: s,
      state,
      clock,
    } = session({
      ttlSeconds: 60,
      renewable: false,
      login: async () => {
        if (down) throw new VaultError({ reason: "VaultUnreachable" });
      },
    });
    assert.equal(await s.token(), "token-1");
    down = true;
    await clock.advance(60_000); // the scheduled login at 40 s and its retries fail
    assert.equal(state.logins, 1);
    await assert.rejects(
      s.token(),
      (e: unknown) => e instanceof VaultError && e.reason === "VaultUnreachable",
    );
    down = false;
    assert.equal(await s.token(), "token-2");
  });

  describe("after a 403", () => {
    test("a token Vault no longer knows is replaced and the request retried", async () => {
      const { session: s, state } = session();
      const token = await s.token();
      state.invalid.add(token);
      assert.equal(await s.recoverFromForbidden(token, forbidden), true);
      assert.equal(await s.token(), "token-2");
    });

    test("a valid young token keeps its 403: the policy is simply missing", async () => {
      const { session: s, state } = session();
      const token = await s.token();
      assert.equal(await s.recoverFromForbidden(token, forbidden), false);
      assert.equal(state.logins, 1);
    });

    test("a valid token that holds leases is never replaced for its policies: that would end the leases", async () => {
      const { session: s, state, clock } = session();
      const token = await s.token();
      s.holdsLeases = true;
      await clock.advance(60_000);
      assert.equal(await s.recoverFromForbidden(token, forbidden), false);
      assert.equal(state.logins, 1);
      // Revoked or expired, it is still replaced: there is nothing left to keep.
      state.invalid.add(token);
      assert.equal(await s.recoverFromForbidden(token, forbidden), true);
      assert.equal(state.logins, 2);
    });

    test("a valid older token is replaced once: its policies may be stale", async () => {
      const { session: s, state, clock } = session();
      const token = await s.token();
      await clock.advance(30_000);
      assert.equal(await s.recoverFromForbidden(token, forbidden), true);
      assert.equal(state.logins, 2);
      assert.equal(await s.recoverFromForbidden(await s.token(), forbidden), false);
      assert.equal(state.logins, 2);
    });

    test("a request with an already replaced token is simply retried", async () => {
      const { session: s, state } = session();
      const old = await s.token();
      state.invalid.add(old);
      await s.recoverFromForbidden(old, forbidden);
      assert.equal(await s.recoverFromForbidden(old, forbidden), true);
      assert.equal(state.logins, 2);
    });

    test("a static token is never replaced for policies", async () => {
      const { session: s, clock } = session({ auth: fakeAuth("token", false) });
      const token = await s.token();
      await clock.advance(3_600_000);
      assert.equal(await s.recoverFromForbidden(token, forbidden), false);
    });
  });

  test("revoke revokes our token and stops renewing", async () => {
    const { session: s, state, clock } = session();
    await s.token();
    await s.revoke();
    assert.deepEqual(state.revoked, ["token-1"]);
    assert.deepEqual(clock.pending, []);
    await assert.rejects(s.token(), /closed/);
  });

  test("revoke leaves a static token alone", async () => {
    const { session: s, state } = session({ auth: fakeAuth("token", false) });
    await s.token();
    await s.revoke();
    assert.deepEqual(state.revoked, []);
  });

  test("close stops renewing without revoking", async () => {
    const { session: s, state, clock } = session();
    await s.token();
    s.close();
    await clock.advance(10_000_000);
    assert.equal(state.renewals, 0);
    assert.deepEqual(state.revoked, []);
  });

  test("an initial token that is still valid is adopted and renewed, without a login", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    const s = new TokenSession({ auth: fakeAuth(), operations: ops, clock, initialToken: "persisted" });
    assert.equal(await s.token(), "persisted");
    assert.equal(state.logins, 0);
    assert.equal(state.renewals, 1);
  });

  test("an initial token from a function is fetched once, by the first login", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    let fetched = 0;
    const s = new TokenSession({
      auth: fakeAuth(),
      operations: ops,
      clock,
      initialToken: async () => {
        fetched++;
        return "persisted";
      },
    });
    assert.deepEqual(await Promise.all([s.token(), s.token()]), ["persisted", "persisted"]);
    assert.equal(fetched, 1);
    assert.equal(state.logins, 0);
  });

  test("nothing to adopt means a login; a fetch that fails fails the login instead of minting a token", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    const none = new TokenSession({
      auth: fakeAuth(),
      operations: ops,
      clock,
      initialToken: async () => undefined,
    });
    assert.equal(await none.token(), "token-1");
    const failing = new TokenSession({
      auth: fakeAuth(),
      operations: ops,
      clock,
      initialToken: async () => {
        throw new Error("the record could not be read");
      },
    });
    await assert.rejects(failing.token(), /could not be read/);
    assert.equal(state.logins, 1);
  });

  test("an initial token Vault refuses is replaced by a login", async () => {
    const clock = new FakeClock();
    const { ops, state } = fakeOperations({ clock });
    state.invalid.add("persisted");
    const s = new TokenSession({ auth: fakeAuth(), operations: ops, clock, initialToken: "persisted" });
    assert.equal(await s.token(), "token-1");
    await settle();
  });
});
