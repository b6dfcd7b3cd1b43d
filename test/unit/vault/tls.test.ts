import assert from "node:assert/strict";
import { test } from "node:test";
import { isVaultError } from "../../../src/vault/errors.ts";
import { VaultHttp } from "../../../src/vault/http.ts";
import { validateTls } from "../../../src/vault/tls.ts";

const invalidConfiguration = (e: unknown) => isVaultError(e, "InvalidConfiguration");

test("a CA that is not PEM is refused before any request", () => {
  assert.throws(() => validateTls({ caCert: "not a certificate" }), invalidConfiguration);
  assert.throws(
    () => validateTls({ caCert: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" }),
    invalidConfiguration,
  );
});

test("skip-verify ignores the CA", () => {
  assert.doesNotThrow(() => validateTls({ caCert: "garbage", skipVerify: true }));
});

test("a client certificate needs its key, and the pair must parse", () => {
  assert.throws(() => validateTls({ clientCert: "x" }), invalidConfiguration);
  assert.throws(() => validateTls({ clientKey: "x" }), invalidConfiguration);
  assert.throws(() => validateTls({ clientCert: "x", clientKey: "y" }), invalidConfiguration);
});

test("the transport refuses bad addresses and reserved headers", () => {
  assert.throws(() => new VaultHttp({ address: "vault:8200" }), invalidConfiguration);
  assert.throws(() => new VaultHttp({ address: "ftp://vault" }), invalidConfiguration);
  assert.throws(
    () => new VaultHttp({ address: "https://vault", headers: { "X-Vault-Namespace": "a" } }),
    invalidConfiguration,
  );
  assert.throws(
    () => new VaultHttp({ address: "https://vault", headers: { "x-vault-token": "a" } }),
    invalidConfiguration,
  );
});
