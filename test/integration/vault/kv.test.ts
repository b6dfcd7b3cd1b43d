// KV reads through a token that holds only the keyport policy, as the operator would read.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { JsonNumber } from "../../../src/sync/go-json.ts";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import { VaultClient } from "../../../src/vault/client.ts";
import {
  listKvV2DetailedMetadata,
  readKvSecret,
  readKvV1,
  readKvV2,
  readKvV2Metadata,
} from "../../../src/vault/engines/kv.ts";
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
const folder = unique("kv");

before(async () => {
  const http = vaultHttp();
  const f = env().fixtures;
  session = new TokenSession({
    http,
    auth: kubernetesAuth({ mount: f.kubernetesAuthMount, role: f.role, jwt: () => serviceAccountJwt() }),
  });
  client = new VaultClient({ http, tokens: session });
  const root = rootClient();
  await root.write(`${f.kvV1Mount}/${folder}/app`, { username: "v1-user", password: "v1-pass", port: 5432 });
  await root.write(`${f.kvV2Mount}/data/${folder}/app`, { data: { username: "app", password: "first" } });
  await root.write(`${f.kvV2Mount}/data/${folder}/app`, { data: { username: "app", password: "second" } });
  await root.write(`${f.kvV2Mount}/metadata/${folder}/app`, { custom_metadata: { owner: "team-a" } });
  await root.write(`${f.kvV2Mount}/data/${folder}/other`, { data: { x: "1" } });
});

after(async () => {
  await session.revoke();
  await closeVaultClients();
});

describe("kv-v1", () => {
  test("reads the secret; raw is the same map", async () => {
    const secret = await readKvV1(client, { mount: env().fixtures.kvV1Mount, path: `${folder}/app` });
    // Numbers keep Vault's literal (Go's json.Number), so `_raw` and the HMAC match VSO's.
    assert.deepEqual(secret.data, { username: "v1-user", password: "v1-pass", port: new JsonNumber("5432") });
    assert.deepEqual(secret.raw, secret.data);
  });

  test("a missing secret is NotFound", async () => {
    await assert.rejects(
      readKvV1(client, { mount: env().fixtures.kvV1Mount, path: `${folder}/missing` }),
      (e: unknown) => isVaultError(e, "NotFound"),
    );
  });
});

describe("kv-v2", () => {
  test("reads the latest version with its metadata; raw holds data and metadata", async () => {
    const secret = await readKvV2(client, { mount: env().fixtures.kvV2Mount, path: `${folder}/app` });
    assert.deepEqual(secret.data, { username: "app", password: "second" });
    assert.equal(secret.metadata.version, 2);
    assert.deepEqual(secret.metadata.custom_metadata, { owner: "team-a" });
    assert.deepEqual(Object.keys(secret.raw).sort(), ["data", "metadata"]);
    assert.deepEqual(secret.raw.data, secret.data);
  });

  test("a pinned version reads that version", async () => {
    const secret = await readKvV2(client, {
      mount: env().fixtures.kvV2Mount,
      path: `${folder}/app`,
      version: 1,
    });
    assert.deepEqual(secret.data, { username: "app", password: "first" });
    assert.equal(secret.metadata.version, 1);
  });

  test("a deleted version is NotFound", async () => {
    await rootClient().write(`${env().fixtures.kvV2Mount}/delete/${folder}/app`, { versions: [1] });
    await assert.rejects(
      readKvV2(client, { mount: env().fixtures.kvV2Mount, path: `${folder}/app`, version: 1 }),
      (e: unknown) => isVaultError(e, "NotFound"),
    );
  });

  test("metadata read: versions and custom metadata", async () => {
    const meta = await readKvV2Metadata(client, { mount: env().fixtures.kvV2Mount, path: `${folder}/app` });
    assert.equal(meta.current_version, 2);
    assert.deepEqual(Object.keys(meta.versions).sort(), ["1", "2"]);
    assert.deepEqual(meta.custom_metadata, { owner: "team-a" });
  });

  test("detailed-metadata LIST: children with their metadata in one call", async () => {
    const listing = await listKvV2DetailedMetadata(client, { mount: env().fixtures.kvV2Mount, path: folder });
    assert.deepEqual([...listing.keys].sort(), ["app", "other"]);
    assert.equal(listing.keyInfo.app?.current_version, 2);
    assert.deepEqual(listing.keyInfo.app?.custom_metadata, { owner: "team-a" });
    const empty = await listKvV2DetailedMetadata(client, {
      mount: env().fixtures.kvV2Mount,
      path: `${folder}-none`,
    });
    assert.deepEqual(empty, { keys: [], keyInfo: {} });
  });

  test("readKvSecret dispatches on the VaultStaticSecret type", async () => {
    const v1 = await readKvSecret(client, {
      type: "kv-v1",
      mount: env().fixtures.kvV1Mount,
      path: `${folder}/app`,
    });
    assert.equal(v1.metadata, undefined);
    const v2 = await readKvSecret(client, {
      type: "kv-v2",
      mount: env().fixtures.kvV2Mount,
      path: `${folder}/other`,
    });
    assert.deepEqual(v2.data, { x: "1" });
  });

  test("a path outside the policy is PermissionDenied", async () => {
    await assert.rejects(client.read("sys/mounts"), (e: unknown) => isVaultError(e, "PermissionDenied"));
  });
});
