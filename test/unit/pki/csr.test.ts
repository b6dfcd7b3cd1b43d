// The CSR for sign mode, read back with @peculiar/x509: subject, SANs, key, signature.
import "reflect-metadata";
import assert from "node:assert/strict";
import { createPublicKey, webcrypto } from "node:crypto";
import { before, test } from "node:test";
import * as x509 from "@peculiar/x509";
import { createCsr, subjectAltNames } from "../../../src/pki/csr.ts";
import { generatePrivateKey, type KeySpec } from "../../../src/pki/keys.ts";

const subjectAltNameOid = "2.5.29.17";

before(() => {
  // For parsing and verifying; createCsr itself does not need the global provider.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
});

function sans(csr: x509.Pkcs10CertificateRequest): x509.JsonGeneralName[] | undefined {
  const ext = csr.getExtension(subjectAltNameOid) as x509.SubjectAlternativeNameExtension | null;
  return ext?.names.toJSON();
}

for (const spec of [
  { algorithm: "RSA", size: 2048 },
  { algorithm: "ECDSA", size: 256 },
  { algorithm: "ECDSA", size: 384 },
  { algorithm: "ECDSA", size: 521 },
  { algorithm: "Ed25519" },
] satisfies KeySpec[]) {
  test(`${spec.algorithm}${"size" in spec ? `-${spec.size}` : ""}: CN, every SAN kind, our public key, a valid signature`, async () => {
    const key = await generatePrivateKey(spec);
    const pem = await createCsr(key, {
      commonName: "app.example.com",
      altNames: ["www.example.com", "ops@example.com"],
      ipSans: ["10.0.0.1", "2001:db8::1"],
      uriSans: ["spiffe://example.com/ns/demo/sa/app"],
    });
    assert.match(pem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const csr = new x509.Pkcs10CertificateRequest(pem);
    assert.equal(csr.subject, "CN=app.example.com");
    assert.deepEqual(sans(csr), [
      { type: "dns", value: "www.example.com" },
      { type: "email", value: "ops@example.com" },
      { type: "ip", value: "10.0.0.1" },
      { type: "ip", value: "2001:db8::1" },
      { type: "url", value: "spiffe://example.com/ns/demo/sa/app" },
    ]);
    const spki = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
    assert.ok(spki.equals(key.publicKey), "the CSR carries our public key");
    assert.equal(await csr.verify(), true);
  });
}

test("the CN is not copied into the SANs (Vault adds it unless exclude_cn_from_sans)", async () => {
  const key = await generatePrivateKey({ algorithm: "ECDSA" });
  const csr = new x509.Pkcs10CertificateRequest(await createCsr(key, { commonName: "only.example.com" }));
  assert.equal(csr.subject, "CN=only.example.com");
  assert.equal(csr.getExtension(subjectAltNameOid), null);
});

test("no names: an empty subject and no SAN extension", async () => {
  const key = await generatePrivateKey({ algorithm: "Ed25519" });
  const csr = new x509.Pkcs10CertificateRequest(await createCsr(key, {}));
  assert.equal(csr.subject, "");
  assert.equal(csr.getExtension(subjectAltNameOid), null);
  assert.equal(await csr.verify(), true);
});

test("internationalized DNS names go in punycode; empty entries are skipped", () => {
  assert.deepEqual(subjectAltNames({ altNames: ["bücher.example.com", ""], ipSans: [""], uriSans: [""] }), [
    { type: "dns", value: "xn--bcher-kva.example.com" },
  ]);
});
