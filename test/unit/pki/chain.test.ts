// The chain up to the root (resolveChain) and the opt-in Predictable layout built from it, with
// synthetic hierarchies: what Vault's response holds varies, the result must not.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, test } from "node:test";
import { ChainError, parseCertificates, resolveChain } from "../../../src/pki/chain.ts";
import { pkiSecretData } from "../../../src/pki/secret-data.ts";
import type { GoJsonValue } from "../../../src/sync/go-json.ts";
import type { PkiCertificate } from "../../../src/vault/engines/pki.ts";
import { crossSign, makeCa, makeLeaf, type SyntheticCert } from "../../support/synthetic-pki.ts";

let root: SyntheticCert;
let int1: SyntheticCert;
let int2: SyntheticCert;
let leaf: SyntheticCert & { keyPem: string };

before(async () => {
  root = await makeCa("Root");
  int1 = await makeCa("Intermediate 1", root);
  int2 = await makeCa("Intermediate 2", int1);
  leaf = await makeLeaf("app.example.com", int2, "RSA");
});

const subjects = (certs: X509Certificate[]) => certs.map((c) => c.subject);

/** A source that records whether it was asked. */
function source(pems: string[]) {
  const calls = { count: 0 };
  const fetch = async () => {
    calls.count++;
    return pems;
  };
  return { calls, fetch };
}

describe("resolveChain", () => {
  test("root left out of the response: found in the first source, the second is never asked", async () => {
    const first = source([int2.pem, int1.pem, root.pem]);
    const second = source([]);
    const chain = await resolveChain(leaf.pem, [int2.pem, int1.pem, int2.pem], [first.fetch, second.fetch]);
    assert.equal(chain.leaf.subject, "CN=app.example.com");
    assert.deepEqual(subjects(chain.intermediates), ["CN=Intermediate 2", "CN=Intermediate 1"]);
    assert.equal(chain.root.subject, "CN=Root");
    assert.deepEqual([first.calls.count, second.calls.count], [1, 0]);
  });

  test("the response already reaches the root: no Vault lookup at all", async () => {
    const lookup = source([]);
    const chain = await resolveChain(leaf.pem, [int1.pem, root.pem, int2.pem], [lookup.fetch]);
    assert.deepEqual(subjects(chain.intermediates), ["CN=Intermediate 2", "CN=Intermediate 1"]);
    assert.equal(chain.root.subject, "CN=Root");
    assert.equal(lookup.calls.count, 0);
  });

  test("a leaf issued by a root (empty ca_chain, issuing_ca = root): no intermediates", async () => {
    const direct = await makeLeaf("direct.example.com", root);
    const chain = await resolveChain(direct.pem, ["", root.pem]);
    assert.deepEqual(chain.intermediates, []);
    assert.equal(chain.root.subject, "CN=Root");
  });

  test("a role issuing from a non-default issuer: the second source (every issuer) completes it", async () => {
    const chain = await resolveChain(
      leaf.pem,
      [int2.pem],
      [source([int2.pem]).fetch, source([int1.pem, root.pem, (await makeCa("Other")).pem]).fetch],
    );
    assert.deepEqual(subjects(chain.intermediates), ["CN=Intermediate 2", "CN=Intermediate 1"]);
    assert.equal(chain.root.subject, "CN=Root");
  });

  test("no root anywhere: ChainError, a SecretDataBuilderError naming the missing issuer", async () => {
    const first = source([int2.pem]);
    const second = source([int2.pem]);
    await assert.rejects(
      resolveChain(leaf.pem, [int2.pem], [first.fetch, second.fetch]),
      (error: unknown) =>
        error instanceof ChainError &&
        error.reason === "SecretDataBuilderError" &&
        /no root CA found for "CN=Intermediate 1"/.test(error.message) &&
        /issuers\/import\/cert/.test(error.message),
    );
    assert.deepEqual([first.calls.count, second.calls.count], [1, 1]);
  });

  test("an unrelated certificate with the right name but the wrong key is not a parent", async () => {
    const impostor = await makeCa("Intermediate 1", root);
    await assert.rejects(resolveChain(leaf.pem, [int2.pem, impostor.pem, root.pem]), ChainError);
  });

  test("format der (base64) and pem_bundle (key and CA in the certificate field)", async () => {
    const der = (c: SyntheticCert) => c.cert.raw.toString("base64");
    const fromDer = await resolveChain(der(leaf), [der(int2), der(int1), der(root)]);
    assert.deepEqual(subjects(fromDer.intermediates), ["CN=Intermediate 2", "CN=Intermediate 1"]);
    const bundle = `${leaf.pem}\n${leaf.keyPem}\n${int2.pem}`;
    const fromBundle = await resolveChain(bundle, [], [async () => [int1.pem, root.pem]]);
    assert.equal(fromBundle.leaf.subject, "CN=app.example.com");
    assert.deepEqual(subjects(fromBundle.intermediates), ["CN=Intermediate 2", "CN=Intermediate 1"]);
    assert.deepEqual(parseCertificates("not a certificate"), []);
  });

  test("cross-signed: the self-signed root wins over its cross-signed twin", async () => {
    const oldRoot = await makeCa("Old Root");
    const newRoot = await makeCa("New Root");
    const bridged = await crossSign(newRoot, oldRoot);
    const int = await makeCa("Int", newRoot);
    const cert = await makeLeaf("x.example.com", int);
    const chain = await resolveChain(cert.pem, [int.pem, bridged.pem, newRoot.pem, oldRoot.pem]);
    assert.deepEqual(subjects(chain.intermediates), ["CN=Int"]);
    assert.equal(chain.root.fingerprint256, newRoot.cert.fingerprint256);
  });
});

/** A PkiCertificate as Vault returns it for `leaf` (chain without the root). */
function issued(overrides: Partial<Record<string, GoJsonValue>> = {}): PkiCertificate {
  const raw: Record<string, GoJsonValue> = {
    certificate: leaf.pem,
    private_key: leaf.keyPem,
    private_key_type: "rsa",
    issuing_ca: int2.pem,
    ca_chain: [int2.pem, int1.pem],
    serial_number: "01:02",
    expiration: 1795473845,
    ...overrides,
  };
  return {
    certificate: raw.certificate as string,
    private_key: raw.private_key as string,
    private_key_type: "rsa",
    issuing_ca: raw.issuing_ca as string,
    ca_chain: raw.ca_chain as string[],
    serial_number: "01:02",
    expiration: 1795473845,
    raw,
    warnings: [],
  };
}

const text = (data: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString()]));

describe("chainLayout: Predictable", () => {
  test("kubernetes.io/tls: tls.crt = leaf + intermediates, ca.crt = the root, tls.key; VSO's keys stay", async () => {
    const cert = issued();
    const chain = await resolveChain(cert.certificate, cert.ca_chain, [async () => [root.pem]]);
    const vso = text(pkiSecretData(cert, { destinationType: "kubernetes.io/tls" }));
    const data = text(
      pkiSecretData(cert, { destinationType: "kubernetes.io/tls", chainLayout: "Predictable", chain }),
    );
    assert.deepEqual(subjects(parseCertificates(data["tls.crt"] ?? "")), [
      "CN=app.example.com",
      "CN=Intermediate 2",
      "CN=Intermediate 1",
    ]);
    assert.equal(data["ca.crt"], root.cert.toString());
    assert.ok(
      new X509Certificate(data["ca.crt"] ?? "").checkIssued(new X509Certificate(data["ca.crt"] ?? "")),
    );
    assert.equal(data["tls.key"], leaf.keyPem);
    for (const key of ["_raw", "certificate", "private_key", "issuing_ca", "ca_chain", "serial_number"]) {
      assert.equal(data[key], vso[key], key);
    }
  });

  test("the same three keys whatever Vault returns: a chain that ends at the root, or none at all", async () => {
    const withRoot = issued({ ca_chain: [int2.pem, int1.pem, root.pem] });
    const noChain = issued({ ca_chain: [], issuing_ca: int2.pem });
    const outputs = [];
    for (const cert of [withRoot, noChain]) {
      const chain = await resolveChain(
        cert.certificate,
        [...cert.ca_chain, cert.issuing_ca],
        [async () => [int1.pem, root.pem]],
      );
      const data = text(
        pkiSecretData(cert, { destinationType: "kubernetes.io/tls", chainLayout: "Predictable", chain }),
      );
      outputs.push([data["tls.crt"], data["ca.crt"]]);
    }
    assert.deepEqual(outputs[0], outputs[1]);
    assert.equal(parseCertificates(outputs[0]?.[0] ?? "").length, 3, "the root is never in tls.crt");
  });

  test("an Opaque destination gets them too, and filters cannot remove them", async () => {
    const cert = issued();
    const chain = await resolveChain(cert.certificate, cert.ca_chain, [async () => [root.pem]]);
    const data = text(
      pkiSecretData(cert, {
        chainLayout: "Predictable",
        chain,
        filter: { excludes: [".*"], excludeRaw: true },
      }),
    );
    assert.deepEqual(Object.keys(data).sort(), ["ca.crt", "tls.crt", "tls.key"]);
  });

  test("a key Vault returned as DER (format der) becomes PKCS#8 PEM in tls.key", async () => {
    const der = Buffer.from(leaf.keyPem.replace(/-----[^-]+-----|\s/g, ""), "base64").toString("base64");
    const cert = issued({ private_key: der });
    cert.private_key = der;
    const chain = await resolveChain(cert.certificate, cert.ca_chain, [async () => [root.pem]]);
    const data = text(pkiSecretData(cert, { chainLayout: "Predictable", chain }));
    assert.match(data["tls.key"] ?? "", /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(data.private_key, der, "VSO's private_key key is left as Vault sent it");
  });

  test("unset (VSO, the default): passing a chain changes nothing, byte for byte", async () => {
    const cert = issued();
    const chain = await resolveChain(cert.certificate, cert.ca_chain, [async () => [root.pem]]);
    for (const destinationType of ["kubernetes.io/tls", "Opaque"]) {
      assert.deepEqual(
        pkiSecretData(cert, { destinationType, chain }),
        pkiSecretData(cert, { destinationType }),
      );
      assert.deepEqual(
        pkiSecretData(cert, { destinationType, chain, chainLayout: "VSO" }),
        pkiSecretData(cert, { destinationType }),
      );
    }
  });
});
