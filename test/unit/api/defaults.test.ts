import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  apiVersion,
  defaultDestinationSecretType,
  parseSecretTransformation,
  parseVaultAuth,
  parseVaultAuthGlobal,
  parseVaultConnection,
  parseVaultDynamicSecret,
  parseVaultPKISecret,
  parseVaultStaticSecret,
  privateKeyEncoding,
  privateKeySize,
  vaultPKISecretKind,
  vaultStaticSecretKind,
} from "../../../src/api/index.ts";
import type { ParseResult } from "../../../src/api/validation-error.ts";

function object(kind: string, spec: unknown, status?: unknown) {
  return {
    apiVersion,
    kind,
    metadata: { name: "sample", namespace: "demo" },
    ...(spec === undefined ? {} : { spec }),
    ...(status === undefined ? {} : { status }),
  };
}

function ok<T>(result: ParseResult<T>): T {
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

const destination = { name: "app" };

describe("defaults VSO's CRDs apply", () => {
  test("VaultConnection: skipTLSVerify false", () => {
    const { spec } = ok(parseVaultConnection(object("VaultConnection", { address: "http://vault:8200" })));
    assert.equal(spec.skipTLSVerify, false);
  });

  test("VaultStaticSecret: hmacSecretData true, destination create and overwrite false", () => {
    const { spec } = ok(
      parseVaultStaticSecret(
        object("VaultStaticSecret", { mount: "kv", path: "app", type: "kv-v2", destination }),
      ),
    );
    assert.equal(spec.hmacSecretData, true);
    assert.deepEqual(spec.destination, { name: "app", create: false, overwrite: false });
  });

  test("VaultStaticSecret: an explicit hmacSecretData false survives (VSO #753)", () => {
    const { spec } = ok(
      parseVaultStaticSecret(
        object("VaultStaticSecret", {
          mount: "kv",
          path: "app",
          type: "kv-v1",
          hmacSecretData: false,
          destination,
        }),
      ),
    );
    assert.equal(spec.hmacSecretData, false);
  });

  test("VaultDynamicSecret: renewalPercent 67; requestHTTPMethod, revoke and allowStaticCreds stay unset", () => {
    const { spec } = ok(
      parseVaultDynamicSecret(object("VaultDynamicSecret", { mount: "db", path: "creds/app", destination })),
    );
    assert.equal(spec.renewalPercent, 67);
    assert.equal(spec.requestHTTPMethod, undefined);
    assert.equal(spec.revoke, undefined);
    assert.equal(spec.allowStaticCreds, undefined);
  });

  test("VaultDynamicSecret: renewalPercent 0 is kept, not replaced by the default", () => {
    const { spec } = ok(
      parseVaultDynamicSecret(
        object("VaultDynamicSecret", { mount: "db", path: "creds/app", renewalPercent: 0, destination }),
      ),
    );
    assert.equal(spec.renewalPercent, 0);
  });

  test("VaultAuth: tokenExpirationSeconds 600 in the kubernetes and jwt blocks", () => {
    const { spec } = ok(
      parseVaultAuth(
        object("VaultAuth", {
          method: "kubernetes",
          kubernetes: { role: "app", serviceAccount: "default" },
          jwt: { role: "app" },
        }),
      ),
    );
    assert.equal(spec.kubernetes?.tokenExpirationSeconds, 600);
    assert.equal(spec.jwt?.tokenExpirationSeconds, 600);
    assert.equal(spec.appRole, undefined, "absent blocks are not invented");
  });

  test("VaultAuthGlobal: tokenExpirationSeconds 600 in the per-method blocks", () => {
    const { spec } = ok(parseVaultAuthGlobal(object("VaultAuthGlobal", { kubernetes: {}, jwt: {} })));
    assert.equal(spec.kubernetes?.tokenExpirationSeconds, 600);
    assert.equal(spec.jwt?.tokenExpirationSeconds, 600);
  });

  test("VaultPKISecret: destination defaults; VSO has no default for expiryOffset, revoke or clear", () => {
    const { spec } = ok(
      parseVaultPKISecret(object("VaultPKISecret", { mount: "pki", role: "web", destination })),
    );
    assert.deepEqual(spec.destination, { name: "app", create: false, overwrite: false });
    assert.equal(spec.expiryOffset, undefined);
    assert.equal(spec.revoke, undefined);
    assert.equal(spec.clear, undefined);
    assert.equal(spec.privateKey, undefined);
  });

  test("destination.type has no schema default (as in VSO); Opaque is the runtime default", () => {
    const { spec } = ok(
      parseVaultStaticSecret(
        object("VaultStaticSecret", { mount: "kv", path: "app", type: "kv-v2", destination: { name: "a" } }),
      ),
    );
    assert.equal(spec.destination.type, undefined);
    assert.equal(defaultDestinationSecretType, "Opaque");
  });

  test("a missing spec reads as {} (so all-optional kinds parse and defaults apply)", () => {
    const { spec } = ok(parseSecretTransformation(object("SecretTransformation", undefined)));
    assert.deepEqual(spec, {});
    const missing = parseVaultStaticSecret(object("VaultStaticSecret", undefined));
    assert.equal(missing.ok, false);
  });
});

describe("Keyport extension defaults", () => {
  test("privateKey: algorithm RSA, rotationPolicy Always; size and encoding follow the algorithm", () => {
    const spec = ok(vaultPKISecretKind.parseSpec({ mount: "pki", role: "web", destination, privateKey: {} }));
    assert.deepEqual(spec.privateKey, { algorithm: "RSA", rotationPolicy: "Always" });
    assert.ok(spec.privateKey);
    assert.equal(privateKeySize(spec.privateKey), 2048);
    assert.equal(privateKeyEncoding(spec.privateKey), "PKCS1");
  });

  test("privateKey: ECDSA defaults to 256 bits, Ed25519 to PKCS8 with no size", () => {
    const ecdsa = { algorithm: "ECDSA", rotationPolicy: "Always" } as const;
    const ed25519 = { algorithm: "Ed25519", rotationPolicy: "Never" } as const;
    assert.equal(privateKeySize(ecdsa), 256);
    assert.equal(privateKeyEncoding(ecdsa), "PKCS1");
    assert.equal(privateKeySize(ed25519), undefined);
    assert.equal(privateKeyEncoding(ed25519), "PKCS8");
  });
});

describe("parse keeps what controllers need and drops what the API server would prune", () => {
  test("metadata passes through, unknown spec fields are dropped", () => {
    const input = {
      ...object("VaultStaticSecret", {
        mount: "kv",
        path: "app",
        type: "kv-v2",
        destination,
        unknownField: 1,
      }),
      metadata: {
        name: "sample",
        namespace: "demo",
        uid: "0b7c",
        generation: 3,
        creationTimestamp: "2026-01-01T00:00:00Z",
        managedFields: [{ manager: "kubectl" }],
      },
    };
    const value = ok(parseVaultStaticSecret(input));
    assert.equal(value.metadata.generation, 3);
    assert.deepEqual(value.metadata.managedFields, [{ manager: "kubectl" }]);
    assert.equal("unknownField" in value.spec, false);
  });

  test("status is parsed with its required fields", () => {
    const spec = { mount: "kv", path: "app", type: "kv-v2", destination };
    const value = ok(
      parseVaultStaticSecret(
        object("VaultStaticSecret", spec, {
          lastGeneration: 2,
          secretMAC: "bWFj",
          conditions: [
            {
              type: "SecretSynced",
              status: "True",
              reason: "SecretSynced",
              message: "ok",
              lastTransitionTime: "2026-01-01T00:00:00Z",
            },
          ],
        }),
      ),
    );
    assert.equal(value.status?.lastGeneration, 2);
    const bad = vaultStaticSecretKind.parseStatus({ secretMAC: "bWFj" });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error.message, /status\.lastGeneration: required field is missing/);
  });

  test("apiVersion and kind must match the kind parsed", () => {
    const result = parseVaultConnection({ ...object("VaultAuth", { address: "x" }) });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual(
        result.error.issues.map((issue) => issue.path),
        ["kind"],
      );
  });
});
