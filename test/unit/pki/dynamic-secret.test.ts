// VaultDynamicSecret's request method rule and static-role metadata, as VSO reads them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonKeepingNumbers } from "../../../src/sync/go-json.ts";
import {
  dynamicRequestMethod,
  isStaticCreds,
  StaticCredsMetadataError,
  staticCredsMetadata,
} from "../../../src/vault/engines/secrets.ts";

const data = (json: string) => parseJsonKeepingNumbers(json) as Record<string, never>;

test("params force PUT; POST is PUT; unset is GET; empty params are none", () => {
  assert.equal(dynamicRequestMethod(undefined, undefined), "GET");
  assert.equal(dynamicRequestMethod("GET", undefined), "GET");
  assert.equal(dynamicRequestMethod("POST", undefined), "PUT");
  assert.equal(dynamicRequestMethod("PUT", undefined), "PUT");
  assert.equal(dynamicRequestMethod("GET", { ttl: "1h" }), "PUT");
  assert.equal(dynamicRequestMethod(undefined, { ttl: "1h" }), "PUT");
  assert.equal(dynamicRequestMethod("GET", {}), "GET");
});

test("static-role metadata: RFC 3339 rotation time in unix seconds, period, schedule, ttl", () => {
  const meta = staticCredsMetadata(
    data(
      '{"username":"app","password":"p","last_vault_rotation":"2026-01-02T03:04:05.987654321+01:00","rotation_period":3600,"ttl":1234}',
    ),
  );
  assert.deepEqual(meta, {
    lastVaultRotation: Date.UTC(2026, 0, 2, 2, 4, 5) / 1000,
    rotationPeriod: 3600,
    rotationSchedule: "",
    ttl: 1234,
  });
  assert.equal(isStaticCreds(meta), true);
});

test("schedule-based roles are static creds too; dynamic creds are not", () => {
  const scheduled = staticCredsMetadata(
    data('{"last_vault_rotation":"2026-01-02T03:04:05Z","rotation_schedule":"0 * * * *","ttl":60}'),
  );
  assert.equal(scheduled.rotationSchedule, "0 * * * *");
  assert.equal(isStaticCreds(scheduled), true);
  const dynamic = staticCredsMetadata(data('{"username":"v-app-x","password":"p"}'));
  assert.deepEqual(dynamic, { lastVaultRotation: 0, rotationPeriod: 0, rotationSchedule: "", ttl: 0 });
  assert.equal(isStaticCreds(dynamic), false);
});

test("fields of the wrong type are errors, as in VSO", () => {
  assert.throws(() => staticCredsMetadata(data('{"ttl":"60"}')), StaticCredsMetadataError);
  assert.throws(() => staticCredsMetadata(data('{"ttl":1.5}')), StaticCredsMetadataError);
  assert.throws(() => staticCredsMetadata(data('{"rotation_period":true}')), StaticCredsMetadataError);
  assert.throws(
    () => staticCredsMetadata(data('{"last_vault_rotation":"yesterday"}')),
    StaticCredsMetadataError,
  );
  assert.throws(() => staticCredsMetadata(data('{"last_vault_rotation":5}')), StaticCredsMetadataError);
});
