import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  expiresAtMs,
  isUsable,
  loginRetryDelayMs,
  planTokenRefresh,
  type TokenTiming,
} from "../../../src/vault/token-schedule.ts";

const hour: TokenTiming = { grantedAtMs: 0, ttlSeconds: 3600, renewable: true, loginTtlSeconds: 3600 };

describe("planTokenRefresh", () => {
  test("a renewable token is renewed at two thirds of its TTL", () => {
    assert.deepEqual(planTokenRefresh(hour), { action: "renew", atMs: 2_400_000 });
    assert.deepEqual(planTokenRefresh({ ...hour, grantedAtMs: 5_000 }), { action: "renew", atMs: 2_405_000 });
  });

  test("a non-renewable token is replaced by a login at two thirds of its TTL", () => {
    assert.deepEqual(planTokenRefresh({ ...hour, renewable: false }), { action: "login", atMs: 2_400_000 });
  });

  test("a renewal that granted less than the login TTL has hit max TTL: log in next time", () => {
    assert.deepEqual(planTokenRefresh({ ...hour, ttlSeconds: 600 }), { action: "login", atMs: 400_000 });
    // Vault may round a full renewal down by a second: still renewable.
    assert.equal(planTokenRefresh({ ...hour, ttlSeconds: 3599 }).action, "renew");
  });

  test("a token that never expires needs nothing", () => {
    assert.deepEqual(planTokenRefresh({ ...hour, ttlSeconds: 0 }), { action: "none" });
  });
});

describe("isUsable", () => {
  test("until a tenth of the TTL (at most 10 s) before expiry", () => {
    assert.equal(expiresAtMs(hour), 3_600_000);
    assert.equal(isUsable(hour, 3_589_999), true);
    assert.equal(isUsable(hour, 3_590_000), false);
    const short = { ...hour, ttlSeconds: 20, loginTtlSeconds: 20 };
    assert.equal(isUsable(short, 17_999), true);
    assert.equal(isUsable(short, 18_000), false);
  });

  test("a token without TTL is always usable", () => {
    assert.equal(isUsable({ ...hour, ttlSeconds: 0 }, Number.MAX_SAFE_INTEGER), true);
    assert.equal(expiresAtMs({ ...hour, ttlSeconds: 0 }), undefined);
  });
});

test("background login retries back off from 5 s to 60 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10, 20].map(loginRetryDelayMs),
    [5_000, 7_500, 11_250, 16_875, 60_000, 60_000],
  );
});
