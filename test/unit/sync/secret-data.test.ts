import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonKeepingNumbers } from "../../../src/sync/go-json.ts";
import { buildSecretData, filterFields, SecretDataError } from "../../../src/sync/secret-data.ts";

const text = (data: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString()]));

test("kv-v2: fields from .data.data, _raw is the whole .data re-encoded as Go does", () => {
  const response = parseJsonKeepingNumbers(
    '{"data":{"password":"s3cret","port":5432,"tags":{"b":1,"a":true}},"metadata":{"version":2,"custom_metadata":null}}',
  ) as { data: Record<string, never> };
  const data = buildSecretData(response.data, response as never);
  assert.deepEqual(text(data), {
    _raw: '{"data":{"password":"s3cret","port":5432,"tags":{"a":true,"b":1}},"metadata":{"custom_metadata":null,"version":2}}',
    password: "s3cret",
    port: "5432",
    tags: '{"a":true,"b":1}',
  });
});

test("excludeRaw drops _raw; excludes apply before includes", () => {
  const fields = { a1: "x", a2: "y", b1: "z" };
  assert.deepEqual(
    text(buildSecretData(fields, fields, { excludeRaw: true, includes: ["^a"], excludes: ["2$"] })),
    {
      a1: "x",
    },
  );
  assert.deepEqual(filterFields(["a", "b"], { excludes: [".*"] }), []);
});

test("a source field named _raw is an error unless raw is excluded", () => {
  assert.throws(() => buildSecretData({ _raw: "x" }, {}), SecretDataError);
  assert.deepEqual(text(buildSecretData({ _raw: "x" }, {}, { excludeRaw: true })), { _raw: "x" });
});

test("an invalid pattern is a SecretDataError naming the pattern", () => {
  assert.throws(() => filterFields(["a"], { includes: ["("] }), /invalid pattern "\("/);
});
