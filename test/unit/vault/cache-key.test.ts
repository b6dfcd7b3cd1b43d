import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ClientIdentity,
  clientCacheKey,
  cloneCacheKey,
  isCloneKey,
  parentCacheKey,
  parentKeyOf,
  shortHash,
} from "../../../src/vault/cache-key.ts";

// UIDs and the expected hash of VSO's own cache-key test, so status.vaultClientMeta.cacheKey
// written by VSO and by Keyport agree.
const identity: ClientIdentity = {
  authMethod: "ical",
  authUID: "c4fad6b9-e7bb-4ed8-bc38-67fd6dc85a35",
  authGeneration: 0,
  connectionUID: "c4fad6b9-e7bb-4ed8-bc38-67fd6dc85a36",
  connectionGeneration: 0,
  providerUID: "c4fad6b9-e7bb-4ed8-bc38-67fd6dc85a37",
};
const vsoHash = "2a8108711ae49ac0faa724";

describe("client cache key", () => {
  test("matches VSO's key for the same inputs", () => {
    assert.equal(parentCacheKey(identity), `ical-${vsoHash}`);
  });

  test("the hash is 22 hex characters: sha256 bytes 0-6 and 28-31", () => {
    assert.match(shortHash("anything"), /^[0-9a-f]{22}$/);
  });

  test("the method is lower-cased", () => {
    assert.equal(parentCacheKey({ ...identity, authMethod: "icalBarBaz" }), `icalbarbaz-${vsoHash}`);
  });

  test("every input changes the key", () => {
    const base = parentCacheKey(identity);
    for (const changed of [
      { authGeneration: 1 },
      { connectionGeneration: 1 },
      { authUID: "c4fad6b9-e7bb-4ed8-bc38-67fd6dc85a99" },
      { connectionUID: "c4fad6b9-e7bb-4ed8-bc38-67fd6dc85a98" },
      { providerUID: "another-service-account" },
      { authMethod: "kubernetes" },
    ]) {
      assert.notEqual(parentCacheKey({ ...identity, ...changed }), base, JSON.stringify(changed));
    }
  });

  test("the Vault namespace does not change the token's key, only the status key", () => {
    const withNs = { ...identity, vaultNamespace: "ns1/ns2" };
    assert.equal(parentCacheKey(withNs), `ical-${vsoHash}`);
    assert.equal(clientCacheKey(withNs), `ical-${vsoHash}-ns1/ns2`);
    assert.equal(clientCacheKey({ ...identity, vaultNamespace: "" }), `ical-${vsoHash}`);
  });

  test("keys up to 63 characters are accepted, longer ones refused", () => {
    assert.equal(parentCacheKey({ ...identity, authMethod: `ical${"x".repeat(36)}` }).length, 63);
    assert.throws(
      () => parentCacheKey({ ...identity, authMethod: `ical${"x".repeat(37)}` }),
      /longer than 63/,
    );
  });

  test("refuses the same UID for auth and connection, UIDs of the wrong length, an empty provider", () => {
    assert.throws(() => parentCacheKey({ ...identity, connectionUID: identity.authUID }), /must differ/);
    assert.throws(() => parentCacheKey({ ...identity, authUID: `${identity.authUID}1` }), /36 characters/);
    assert.throws(
      () => parentCacheKey({ ...identity, connectionUID: identity.connectionUID.slice(1) }),
      /36/,
    );
    assert.throws(() => parentCacheKey({ ...identity, providerUID: "" }), /provider/);
    assert.throws(() => parentCacheKey({ ...identity, authMethod: "" }), /method/);
  });

  test("clone keys", () => {
    const parent = `kubernetes-${vsoHash}`;
    assert.equal(cloneCacheKey(parent, "ns1/ns2"), `${parent}-ns1/ns2`);
    assert.throws(() => cloneCacheKey(parent, ""), /empty/);
    assert.throws(() => cloneCacheKey(`${parent}-ns1`, "ns3"), /clone/);
    assert.equal(isCloneKey(parent), false);
    assert.equal(isCloneKey(`${parent}-`), false);
    assert.equal(isCloneKey(`${parent}-ns1/ns2`), true);
    assert.equal(parentKeyOf(`${parent}-/ns1/ns2`), parent);
    assert.equal(parentKeyOf(parent), parent);
    assert.equal(parentKeyOf("not-a-key"), undefined);
  });
});
