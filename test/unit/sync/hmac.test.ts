// Expected values come from Go 1.26 itself: json.Marshal of the same map[string][]byte, then
// HMAC-SHA256 with key "0123456789abcdef", base64 — the computation VSO performs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { goJsonOfBytesMap, macEquals, secretMac } from "../../../src/sync/hmac.ts";

const key = Buffer.from("0123456789abcdef");
const bytes = (s: string) => Buffer.from(s);

test("matches Go for a typical kv secret with _raw", () => {
  const data = { password: bytes("s3cret"), username: bytes("app"), _raw: bytes('{"data":{"a":"<b>&"}}') };
  assert.equal(
    goJsonOfBytesMap(data),
    '{"_raw":"eyJkYXRhIjp7ImEiOiI8Yj4mIn19","password":"czNjcmV0","username":"YXBw"}',
  );
  assert.equal(secretMac(key, data), "DW8GEVM89hY+3O62nrbfKSPNWorDH/dGh0yDVLltGro=");
});

test("matches Go for an empty map", () => {
  assert.equal(secretMac(key, {}), "+R4+nwXMLfZKwcJvitzN/9qNHkp6jFChoI7q2sbd/sU=");
});

test("matches Go: bytewise key order, binary values, empty values", () => {
  const data = { empty: bytes(""), B: bytes("x"), a: Buffer.from([0xff, 0x00, 0x10]) };
  assert.equal(goJsonOfBytesMap(data), '{"B":"eA==","a":"/wAQ","empty":""}');
  assert.equal(secretMac(key, data), "inPwWG32DFAO27GFFuDyhNRKTfak08ijuLfnQfdq3vA=");
});

test("matches Go's HTML-safe escaping of keys", () => {
  const data = { "k<&>\u2028": bytes("v") };
  assert.equal(goJsonOfBytesMap(data), '{"k\\u003c\\u0026\\u003e\\u2028":"dg=="}');
  assert.equal(secretMac(key, data), "IcL1i1fLXz6Zw5jcWfz+/max209FzJRoahxAkc41fqg=");
});

test("macEquals is false for missing MACs and true only for equal ones", () => {
  const mac = secretMac(key, { a: bytes("1") });
  assert.equal(macEquals(mac, mac), true);
  assert.equal(macEquals(mac, secretMac(key, { a: bytes("2") })), false);
  assert.equal(macEquals(undefined, mac), false);
  assert.equal(macEquals("", ""), false);
});
