// In-cluster keys: generated off the event loop, encoded as asked, read back unchanged.
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import {
  encodePrivateKey,
  type GeneratedKey,
  generatePrivateKey,
  importPrivateKey,
  keyMatchesSpec,
  UnsupportedKeyError,
  vaultPrivateKeyType,
} from "../../../src/pki/keys.ts";

function samePublicKey(a: GeneratedKey, pem: string): boolean {
  return createPublicKey(createPrivateKey(pem)).equals(a.publicKey);
}

test("RSA-4096 generation leaves the event loop turning: an interval ticks while it runs", async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const key = await generatePrivateKey({ algorithm: "RSA", size: 4096 });
    assert.equal(key.privateKey.asymmetricKeyDetails?.modulusLength, 4096);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, "the interval fired during generation");
});

test("control: the same measurement around a synchronous generation sees no tick", async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    await Promise.resolve(generateKeyPairSync("rsa", { modulusLength: 2048 }));
  } finally {
    clearInterval(timer);
  }
  assert.equal(ticks, 0);
});

for (const size of [2048, 3072]) {
  test(`RSA-${size}: PKCS1 is "RSA PRIVATE KEY", PKCS8 is "PRIVATE KEY", both parse back to the key`, async () => {
    const key = await generatePrivateKey({ algorithm: "RSA", size });
    assert.equal(key.size, size);
    const pkcs1 = encodePrivateKey(key, "PKCS1");
    const pkcs8 = encodePrivateKey(key, "PKCS8");
    assert.match(pkcs1, /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
    assert.match(pkcs8, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----$/);
    assert.ok(samePublicKey(key, pkcs1));
    assert.ok(samePublicKey(key, pkcs8));
    assert.equal(vaultPrivateKeyType(key), "rsa");
  });
}

for (const [size, curve] of [
  [256, "prime256v1"],
  [384, "secp384r1"],
  [521, "secp521r1"],
] as const) {
  test(`ECDSA P-${size}: PKCS1 means SEC 1 "EC PRIVATE KEY"; PKCS8 "PRIVATE KEY"`, async () => {
    const key = await generatePrivateKey({ algorithm: "ECDSA", size });
    assert.equal(key.privateKey.asymmetricKeyDetails?.namedCurve, curve);
    const sec1 = encodePrivateKey(key, "PKCS1");
    assert.match(sec1, /^-----BEGIN EC PRIVATE KEY-----\n/);
    assert.match(encodePrivateKey(key, "PKCS8"), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.ok(samePublicKey(key, sec1));
    assert.equal(vaultPrivateKeyType(key), "ec");
  });
}

test("Ed25519: PKCS8 only", async () => {
  const key = await generatePrivateKey({ algorithm: "Ed25519", size: 4096 });
  assert.equal(key.size, undefined);
  assert.equal(key.privateKey.asymmetricKeyType, "ed25519");
  const pkcs8 = encodePrivateKey(key, "PKCS8");
  assert.match(pkcs8, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.ok(samePublicKey(key, pkcs8));
  assert.throws(() => encodePrivateKey(key, "PKCS1"), UnsupportedKeyError);
  assert.equal(vaultPrivateKeyType(key), "ed25519");
});

test("defaults: RSA 2048, ECDSA P-256", async () => {
  assert.equal((await generatePrivateKey({ algorithm: "RSA" })).size, 2048);
  assert.equal((await generatePrivateKey({ algorithm: "ECDSA" })).size, 256);
});

test("der format is base64 of the same encoding", async () => {
  const key = await generatePrivateKey({ algorithm: "ECDSA" });
  const der = Buffer.from(encodePrivateKey(key, "PKCS1", "der"), "base64");
  const parsed = createPrivateKey({ key: der, format: "der", type: "sec1" });
  assert.ok(createPublicKey(parsed).equals(key.publicKey));
});

test("unsupported sizes are UnsupportedKeyError, P-224 with the reason", async () => {
  await assert.rejects(generatePrivateKey({ algorithm: "RSA", size: 1024 }), UnsupportedKeyError);
  await assert.rejects(generatePrivateKey({ algorithm: "ECDSA", size: 224 }), /WebCrypto/);
});

test("a stored key reads back with its algorithm and size, in every encoding", async () => {
  for (const spec of [
    { algorithm: "RSA", size: 2048 },
    { algorithm: "ECDSA", size: 384 },
    { algorithm: "Ed25519" },
  ] as const) {
    const key = await generatePrivateKey(spec);
    const encodings = spec.algorithm === "Ed25519" ? (["PKCS8"] as const) : (["PKCS1", "PKCS8"] as const);
    for (const encoding of encodings) {
      for (const format of ["pem", "der"] as const) {
        const back = importPrivateKey(encodePrivateKey(key, encoding, format));
        assert.equal(back.algorithm, key.algorithm);
        assert.equal(back.size, key.size);
        assert.ok(back.publicKey.equals(key.publicKey));
        assert.ok(keyMatchesSpec(back, spec));
      }
    }
  }
});

test("keyMatchesSpec: another size or algorithm does not match; defaults are applied", async () => {
  const key = await generatePrivateKey({ algorithm: "RSA" });
  assert.ok(keyMatchesSpec(key, { algorithm: "RSA" }));
  assert.ok(!keyMatchesSpec(key, { algorithm: "RSA", size: 4096 }));
  assert.ok(!keyMatchesSpec(key, { algorithm: "ECDSA" }));
});

test("an unparseable stored key is an error that does not quote it", () => {
  const secret = "not-a-key-but-secret-looking-material";
  assert.throws(
    () => importPrivateKey(secret),
    (e: unknown) => e instanceof UnsupportedKeyError && !e.message.includes(secret),
  );
});
