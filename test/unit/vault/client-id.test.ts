import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { blake2b, vaultClientId } from "../../../src/vault/client-id.ts";

test("BLAKE2b-256 of 'abc' is the published test vector", () => {
  assert.equal(vaultClientId("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
});

test("BLAKE2b-512 agrees with OpenSSL at block boundaries", () => {
  for (const length of [0, 1, 127, 128, 129, 256, 1000]) {
    const input = Buffer.alloc(length, 0x61 + (length % 26));
    assert.equal(
      Buffer.from(blake2b(input, 64)).toString("hex"),
      createHash("blake2b512").update(input).digest("hex"),
      `length ${length}`,
    );
  }
});

test("the client id of an accessor is 64 hex characters", () => {
  assert.match(vaultClientId("hmac-accessor-Xy1"), /^[0-9a-f]{64}$/);
});
