import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { chooseEncryptionKey } from "../../../src/controllers/client-cache-storage/encryption.ts";
import {
  buildRecord,
  readRecord,
  recordName,
  recordSelector,
  tokenFromPayload,
  tokenPayload,
} from "../../../src/controllers/client-cache-storage/record.ts";
import type { RawResource } from "../../../src/controllers/context.ts";
import type { TokenOwner } from "../../../src/controllers/vault-clients.ts";

const key = Buffer.alloc(16, 7);
const owner: TokenOwner = {
  parentKey: "kubernetes-0123456789abcdef012345",
  identity: {
    authMethod: "kubernetes",
    authUID: "00000000-0000-4000-8000-000000000001",
    authGeneration: 2,
    connectionUID: "00000000-0000-4000-8000-000000000002",
    connectionGeneration: 1,
    providerUID: "00000000-0000-4000-8000-000000000003",
  },
  authNamespace: "keyport",
  authName: "default",
  connectionNamespace: "keyport",
  providerNamespace: "app",
};
const description = {
  method: "kubernetes",
  accessor: "acc",
  ttlSeconds: 3600,
  renewable: true,
  policies: ["default", "keyport"],
  entityId: "ent",
  grantedAtMs: 0,
  loggedInAtMs: 0,
  expiresAtMs: 3_600_000,
};

function plainRecord(token = "s.secret-token") {
  return buildRecord({
    namespace: "keyport",
    owner,
    key,
    secret: tokenPayload(token, description),
    transitRef: undefined,
  });
}

describe("persisted token records", () => {
  test("VSO's shape: name, labels, immutable, secret and messageMAC = HMAC(name + cacheKey + secret)", () => {
    const record = plainRecord();
    assert.equal(record.metadata?.name, "vso-cc-kubernetes-0123456789abcdef012345");
    assert.equal(record.immutable, true);
    const labels = record.metadata?.labels ?? {};
    assert.equal(labels.cacheKey, owner.parentKey);
    assert.equal(labels["auth/UID"], owner.identity.authUID);
    assert.equal(labels["auth/generation"], "2");
    assert.equal(labels["provider/namespace"], "app");
    assert.equal(labels.encrypted, undefined);
    for (const pair of recordSelector.split(",")) {
      const [k, v] = pair.split("=");
      assert.equal(labels[k ?? ""], v);
    }
    const secret = Buffer.from(record.data?.secret ?? "", "base64");
    const expected = createHmac("sha256", key)
      .update(Buffer.concat([Buffer.from(`${record.metadata?.name}${owner.parentKey}`), secret]))
      .digest("base64");
    assert.equal(record.data?.messageMAC, expected);
    // The payload is Vault's api.Secret JSON, as VSO stores it.
    assert.equal((JSON.parse(secret.toString()) as { auth: { accessor: string } }).auth.accessor, "acc");
  });

  test("an intact record yields its token", () => {
    assert.deepEqual(readRecord(plainRecord(), key, owner.parentKey), {
      kind: "plain",
      token: "s.secret-token",
    });
  });

  test("a changed byte, another key, or another identity's name: tampered, never trusted", () => {
    const record = plainRecord();
    const secret = Buffer.from(record.data?.secret ?? "", "base64");
    secret[10] = (secret[10] ?? 0) ^ 1;
    const edited = { ...record, data: { ...record.data, secret: secret.toString("base64") } };
    assert.deepEqual(readRecord(edited, key, owner.parentKey), { kind: "discard", reason: "tampered" });
    assert.deepEqual(readRecord(record, Buffer.alloc(16, 8), owner.parentKey), {
      kind: "discard",
      reason: "tampered",
    });
    // Copied under the name of another identity (whose token it would then become):
    const other = "kubernetes-ffffffffffffffffffffff";
    const copied = { ...record, metadata: { ...record.metadata, name: recordName(other) } };
    assert.deepEqual(readRecord(copied, key, other), { kind: "discard", reason: "tampered" });
    // Read for another identity than its name says:
    assert.deepEqual(readRecord(record, key, other), { kind: "discard", reason: "malformed" });
  });

  test("missing fields or a payload that is no api.Secret: malformed", () => {
    const record = plainRecord();
    assert.deepEqual(
      readRecord({ ...record, data: { secret: record.data?.secret ?? "" } }, key, owner.parentKey),
      {
        kind: "discard",
        reason: "malformed",
      },
    );
    const junk = buildRecord({
      namespace: "keyport",
      owner,
      key,
      secret: new TextEncoder().encode("not json"),
      transitRef: undefined,
    });
    assert.deepEqual(readRecord(junk, key, owner.parentKey), { kind: "discard", reason: "malformed" });
    assert.equal(tokenFromPayload(new TextEncoder().encode('{"auth":{"client_token":""}}')), undefined);
  });

  test("an encrypted record names its key's VaultAuth and is handed over as ciphertext", () => {
    const record = buildRecord({
      namespace: "keyport",
      owner,
      key,
      secret: new TextEncoder().encode("vault:v1:abcd"),
      transitRef: "transit",
    });
    assert.equal(record.metadata?.labels?.encrypted, "true");
    assert.deepEqual(readRecord(record, key, owner.parentKey), {
      kind: "encrypted",
      ciphertext: "vault:v1:abcd",
      transitRef: "transit",
    });
  });
});

describe("the Transit key for records", () => {
  const auth = (name: string, namespace: string, labelled: boolean, storage?: object): RawResource => ({
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      ...(labelled ? { labels: { cacheStorageEncryption: "true" } } : {}),
    },
    spec: { method: "kubernetes", ...(storage === undefined ? {} : { storageEncryption: storage }) },
  });
  const storage = { mount: "transit", keyName: "keyport" };

  test("the one labelled VaultAuth in the operator namespace with storageEncryption", () => {
    assert.deepEqual(
      chooseEncryptionKey(
        [auth("t", "keyport", true, storage), auth("x", "keyport", false, storage)],
        "keyport",
      ),
      {
        kind: "key",
        key: { authName: "t", authUid: "uid-t", mount: "transit", keyName: "keyport" },
      },
    );
  });

  test("none elsewhere, none without the label or the block; two is ambiguous, never a guess", () => {
    assert.deepEqual(chooseEncryptionKey([auth("t", "app", true, storage)], "keyport"), { kind: "none" });
    assert.deepEqual(chooseEncryptionKey([auth("t", "keyport", true)], "keyport"), { kind: "none" });
    assert.deepEqual(
      chooseEncryptionKey(
        [auth("b", "keyport", true, storage), auth("a", "keyport", true, storage)],
        "keyport",
      ),
      { kind: "ambiguous", names: ["a", "b"] },
    );
  });
});
