// The expected strings are Go 1.26's output: json.Decoder with UseNumber, then json.Marshal.
import assert from "node:assert/strict";
import { test } from "node:test";
import { goMarshal, parseJsonKeepingNumbers } from "../../../src/sync/go-json.ts";

test("re-encodes a Vault response exactly as Go does", () => {
  const wire =
    '{"data":{"password":"p<&>\\u2028\\b\\f\\u0001x","n":12345678901234567890,"f":1.50,"e":1e3,"neg":-0.0,"t":true,"nil":null,"arr":[1,"a",{"z":1,"a":2}],"uni":"héllo ✓ 😀"},"metadata":{"version":3,"custom_metadata":null,"created_time":"2026-01-01T00:00:00.123Z"}}';
  assert.equal(
    goMarshal(parseJsonKeepingNumbers(wire)),
    '{"data":{"arr":[1,"a",{"a":2,"z":1}],"e":1e3,"f":1.50,"n":12345678901234567890,"neg":-0.0,"nil":null,"password":"p\\u003c\\u0026\\u003e\\u2028\\b\\f\\u0001x","t":true,"uni":"héllo ✓ 😀"},"metadata":{"created_time":"2026-01-01T00:00:00.123Z","custom_metadata":null,"version":3}}',
  );
});

test("plain JS numbers follow Go's float64 formatting", () => {
  assert.equal(goMarshal([1, 0.5, 1e21, 1e-7, -3]), "[1,0.5,1e+21,1e-07,-3]");
});
