// Transit encrypt/decrypt against the real OpenBao with the keyport policy: the round trip the
// token-persistence design relies on, and the refusal of a tampered ciphertext.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import { VaultClient } from "../../../src/vault/client.ts";
import { isTransitCiphertext, transitDecrypt, transitEncrypt } from "../../../src/vault/engines/transit.ts";
import { isVaultError } from "../../../src/vault/errors.ts";
import { TokenSession } from "../../../src/vault/token.ts";
import { closeVaultClients, env, serviceAccountJwt, vaultHttp } from "../../support/vault-env.ts";

let client: VaultClient;
let session: TokenSession;
const key = () => ({ mount: env().fixtures.transitMount, key: env().fixtures.transitKey });

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

test("binary plaintext round-trips; the ciphertext is vault:v1: and differs each time", async () => {
  const plaintext = new Uint8Array(randomBytes(300));
  const first = await transitEncrypt(client, { ...key(), plaintext });
  const second = await transitEncrypt(client, { ...key(), plaintext });
  assert.match(first, /^vault:v1:/);
  assert.ok(isTransitCiphertext(first));
  assert.notEqual(first, second);
  assert.deepEqual(await transitDecrypt(client, { ...key(), ciphertext: first }), plaintext);
  assert.deepEqual(await transitDecrypt(client, { ...key(), ciphertext: second }), plaintext);
});

test("an empty plaintext round-trips", async () => {
  const ciphertext = await transitEncrypt(client, { ...key(), plaintext: new Uint8Array() });
  assert.deepEqual(await transitDecrypt(client, { ...key(), ciphertext }), new Uint8Array());
});

test("a tampered ciphertext is refused, and the error holds no plaintext", async () => {
  const plaintext = Buffer.from("token-material-that-must-not-leak");
  const ciphertext = await transitEncrypt(client, { ...key(), plaintext });
  const body = Buffer.from(ciphertext.slice("vault:v1:".length), "base64");
  body[body.length - 1] = (body.at(-1) ?? 0) ^ 1;
  const tampered = `vault:v1:${body.toString("base64")}`;
  await assert.rejects(
    transitDecrypt(client, { ...key(), ciphertext: tampered }),
    (e: unknown) =>
      isVaultError(e, "InvalidRequest") &&
      !e.message.includes(plaintext.toString()) &&
      !e.message.includes(tampered),
  );
});

test("a key outside the policy is PermissionDenied", async () => {
  await assert.rejects(
    transitEncrypt(client, { mount: env().fixtures.transitMount, key: "other", plaintext: Buffer.from("x") }),
    (e: unknown) => isVaultError(e, "PermissionDenied"),
  );
});
