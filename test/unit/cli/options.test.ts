import assert from "node:assert/strict";
import { test } from "node:test";
import { OptionsError, parseRunOptions } from "../../../src/cli/options.ts";

test("VSO's defaults", () => {
  const o = parseRunOptions([], { OPERATOR_NAMESPACE: "vso" });
  assert.equal(o.operatorNamespace, "vso");
  assert.equal(o.leaderElect, true);
  assert.equal(o.clientCacheSize, 10_000);
  assert.equal(o.maxConcurrentReconciles, 100);
  assert.deepEqual(o.backoff, {
    initialMs: 5_000,
    maxMs: 60_000,
    maxElapsedMs: 0,
    multiplier: 1.5,
    randomization: 0.5,
  });
  assert.deepEqual(o.globalVaultAuthOptions, { allowDefaultGlobals: true });
  assert.deepEqual(o.globalTransformationOptions, { excludeRaw: false });
  assert.equal(o.metricsBindAddress, ":8080");
  assert.equal(o.healthProbeBindAddress, ":8081");
});

test("environment variables override flags, as in VSO", () => {
  const o = parseRunOptions(
    ["--max-concurrent-reconciles=5", "--global-transformation-options=exclude-raw"],
    {
      VSO_MAX_CONCURRENT_RECONCILES: "7",
    },
  );
  assert.equal(o.maxConcurrentReconciles, 7);
  assert.equal(o.globalTransformationOptions.excludeRaw, true);
});

test("Keyport's restrictions: auth methods and namespaces", () => {
  const o = parseRunOptions(["--allowed-auth-methods=kubernetes,jwt", "--watch-namespaces", "a, b"], {});
  assert.deepEqual(o.allowedAuthMethods, ["kubernetes", "jwt"]);
  assert.deepEqual(o.watchNamespaces, ["a", "b"]);
});

test("bad flags are explained", () => {
  assert.throws(() => parseRunOptions(["--allowed-auth-methods=ldap"], {}), /unknown method ldap/);
  assert.throws(() => parseRunOptions(["--backoff-max-interval=soon"], {}), OptionsError);
  assert.throws(() => parseRunOptions(["--no-such-flag"], {}), OptionsError);
  assert.throws(() => parseRunOptions(["--client-cache-persistence-model=disk"], {}), /unknown model/);
});

test("token persistence: Keyport defaults to auto; VSO's models and its variable still apply", () => {
  assert.equal(parseRunOptions([], {}).clientCachePersistenceModel, "auto");
  assert.equal(
    parseRunOptions(["--client-cache-persistence-model=direct-encrypted"], {}).clientCachePersistenceModel,
    "direct-encrypted",
  );
  assert.equal(
    parseRunOptions([], { VSO_CLIENT_CACHE_PERSISTENCE_MODEL: "none" }).clientCachePersistenceModel,
    "none",
  );
});
