// The destination data for a certificate, compared byte for byte with what VSO v1.4.1 writes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pkiSecretData, pkiSecretFields, tlsSecretData } from "../../../src/pki/secret-data.ts";
import { type GoJsonValue, parseJsonKeepingNumbers } from "../../../src/sync/go-json.ts";
import type { PkiCertificate } from "../../../src/vault/engines/pki.ts";

const text = (data: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString()]));
const bytes = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)]));

/** A PkiCertificate as the engine builds it from Vault's response data. */
function certificate(json: string): PkiCertificate {
  const raw = parseJsonKeepingNumbers(json) as Record<string, GoJsonValue>;
  return {
    certificate: raw.certificate as string,
    ...(typeof raw.private_key === "string" ? { private_key: raw.private_key } : {}),
    ...(typeof raw.private_key_type === "string" ? { private_key_type: raw.private_key_type } : {}),
    issuing_ca: raw.issuing_ca as string,
    ca_chain: (raw.ca_chain ?? []) as string[],
    serial_number: raw.serial_number as string,
    expiration: Number(raw.expiration),
    raw,
    warnings: [],
  };
}

const issued = certificate(
  '{"certificate":"CERT","private_key":"KEY","private_key_type":"rsa","issuing_ca":"INT","ca_chain":["INT","ROOT"],' +
    '"serial_number":"1c:2b","expiration":1795473845,"not_before":1795387415}',
);

test("issue, Opaque: every response field, ca_chain joined with newlines, _raw Go-encoded", () => {
  assert.deepEqual(text(pkiSecretData(issued)), {
    _raw:
      '{"ca_chain":["INT","ROOT"],"certificate":"CERT","expiration":1795473845,"issuing_ca":"INT",' +
      '"not_before":1795387415,"private_key":"KEY","private_key_type":"rsa","serial_number":"1c:2b"}',
    ca_chain: "INT\nROOT",
    certificate: "CERT",
    expiration: "1795473845",
    issuing_ca: "INT",
    not_before: "1795387415",
    private_key: "KEY",
    private_key_type: "rsa",
    serial_number: "1c:2b",
  });
});

test("kubernetes.io/tls with a chain: tls.crt = certificate + chain, tls.key, no ca.crt", () => {
  const data = text(pkiSecretData(issued, { destinationType: "kubernetes.io/tls" }));
  assert.equal(data["tls.crt"], "CERT\nINT\nROOT");
  assert.equal(data["tls.key"], "KEY");
  assert.equal(data["ca.crt"], undefined);
});

test("kubernetes.io/tls with an empty chain: tls.crt = certificate + issuing_ca, and ca.crt = issuing_ca", () => {
  const rootIssued = certificate(
    '{"certificate":"CERT","private_key":"KEY","issuing_ca":"ROOT","ca_chain":[],"serial_number":"01","expiration":1}',
  );
  const data = text(pkiSecretData(rootIssued, { destinationType: "kubernetes.io/tls" }));
  assert.equal(data.ca_chain, "");
  assert.equal(data["tls.crt"], "CERT\nROOT");
  assert.equal(data["ca.crt"], "ROOT");
  assert.equal(data._raw?.includes('"ca_chain":[]'), true);
});

test("a null chain is written as an empty ca_chain, like VSO", () => {
  const nullChain = certificate(
    '{"certificate":"CERT","issuing_ca":"ROOT","ca_chain":null,"serial_number":"01","expiration":1}',
  );
  assert.equal(text(pkiSecretData(nullChain)).ca_chain, "");
});

test("caCrt always: ca.crt = issuing_ca even with a chain (an opt-in; it changes the HMAC)", () => {
  const data = text(pkiSecretData(issued, { destinationType: "kubernetes.io/tls", caCrt: "always" }));
  assert.equal(data["ca.crt"], "INT");
  assert.equal(data["tls.crt"], "CERT\nINT\nROOT");
});

test("templated destinations get no tls.* keys; other types neither", () => {
  for (const options of [
    { destinationType: "kubernetes.io/tls", templated: true },
    { destinationType: "Opaque" },
  ]) {
    const keys = Object.keys(pkiSecretData(issued, options));
    assert.ok(!keys.some((k) => k.startsWith("tls.") || k === "ca.crt"), JSON.stringify(options));
  }
});

test("sign mode: private_key and its type come from our key; _raw stays what Vault sent", () => {
  const signed = certificate(
    '{"certificate":"CERT","issuing_ca":"INT","ca_chain":["INT"],"serial_number":"0a","expiration":2}',
  );
  const signedKey = { privateKey: "OUR KEY", privateKeyType: "ec" };
  const data = text(pkiSecretData(signed, { destinationType: "kubernetes.io/tls", signedKey }));
  assert.equal(data.private_key, "OUR KEY");
  assert.equal(data.private_key_type, "ec");
  assert.equal(data["tls.key"], "OUR KEY");
  assert.equal(data["tls.crt"], "CERT\nINT");
  assert.equal(
    data._raw,
    '{"ca_chain":["INT"],"certificate":"CERT","expiration":2,"issuing_ca":"INT","serial_number":"0a"}',
  );
  assert.equal(pkiSecretFields(signed, signedKey).private_key, "OUR KEY");
});

test("excludes and excludeRaw apply before the TLS keys, as in VSO", () => {
  const data = pkiSecretData(issued, {
    destinationType: "kubernetes.io/tls",
    filter: { excludeRaw: true, excludes: ["^ca_chain$", "^private_key"] },
  });
  assert.deepEqual(Object.keys(data).sort(), [
    "ca.crt",
    "certificate",
    "expiration",
    "issuing_ca",
    "not_before",
    "serial_number",
    "tls.crt",
  ]);
  assert.equal(text(data)["tls.crt"], "CERT\nINT");
});

test("tlsSecretData matches VSO's conversion table", () => {
  assert.deepEqual(text(tlsSecretData({})), {});
  assert.deepEqual(text(tlsSecretData(bytes({ private_key: "k", certificate: "c" }))), {
    private_key: "k",
    certificate: "c",
    "tls.key": "k",
    "tls.crt": "c",
  });
  assert.deepEqual(text(tlsSecretData(bytes({ private_key: "k", certificate: "c", ca_chain: "chain" }))), {
    private_key: "k",
    certificate: "c",
    ca_chain: "chain",
    "tls.key": "k",
    "tls.crt": "c\nchain",
  });
  assert.deepEqual(text(tlsSecretData(bytes({ private_key: "k", certificate: "c", issuing_ca: "i" }))), {
    private_key: "k",
    certificate: "c",
    issuing_ca: "i",
    "tls.key": "k",
    "tls.crt": "c\ni",
    "ca.crt": "i",
  });
});
