// The PKI engine against the real OpenBao, through a token that holds only the keyport policy, as
// the operator would call it: issue (also through an issuer), sign CSRs for keys made in the
// cluster, revoke. Certificates are checked the way a TLS client would check them.
import "reflect-metadata";
import assert from "node:assert/strict";
import { webcrypto, X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import * as x509 from "@peculiar/x509";
import { createCsr } from "../../../src/pki/csr.ts";
import {
  encodePrivateKey,
  generatePrivateKey,
  importPrivateKey,
  type KeySpec,
} from "../../../src/pki/keys.ts";
import { certificateFacts } from "../../../src/pki/renewal.ts";
import { pkiSecretData } from "../../../src/pki/secret-data.ts";
import { JsonNumber } from "../../../src/sync/go-json.ts";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import { VaultClient } from "../../../src/vault/client.ts";
import {
  issueCertificate,
  type PkiCertificate,
  type PkiRequestSpec,
  pkiRequestData,
  revokeCertificate,
  signCertificate,
} from "../../../src/vault/engines/pki.ts";
import { isVaultError } from "../../../src/vault/errors.ts";
import { TokenSession } from "../../../src/vault/token.ts";
import {
  closeVaultClients,
  env,
  rootClient,
  serviceAccountJwt,
  unique,
  vaultHttp,
} from "../../support/vault-env.ts";

let client: VaultClient;
let session: TokenSession;
let rootCa: X509Certificate;
let defaultIssuer: string;
const anyKeyRole = unique("any-key");
const bodyNamesRole = unique("body-names");

const mount = () => env().fixtures.pkiIntMount;
const role = () => env().fixtures.pkiRole;

/** The role settings of the fixture role, for the test's own roles. */
const roleNames = {
  allowed_domains: ["example.com"],
  allow_subdomains: true,
  allow_bare_domains: true,
  allow_ip_sans: true,
  allowed_uri_sans: ["spiffe://*"],
  max_ttl: "720h",
};

before(async () => {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const http = vaultHttp();
  const f = env().fixtures;
  session = new TokenSession({
    http,
    auth: kubernetesAuth({ mount: f.kubernetesAuthMount, role: f.role, jwt: () => serviceAccountJwt() }),
  });
  client = new VaultClient({ http, tokens: session });
  const root = rootClient();
  rootCa = new X509Certificate(String((await root.read(`${f.pkiRootMount}/cert/ca`)).data?.certificate));
  defaultIssuer = String((await root.read(`${f.pkiIntMount}/config/issuers`)).data?.default);
  // The fixture role takes RSA keys only (key_type rsa); sign mode needs any key type.
  await root.write(`${f.pkiIntMount}/roles/${anyKeyRole}`, { ...roleNames, key_type: "any" });
  // A role that ignores the CSR's names: the body must carry them.
  await root.write(`${f.pkiIntMount}/roles/${bodyNamesRole}`, {
    ...roleNames,
    key_type: "any",
    use_csr_sans: false,
    use_csr_common_name: false,
  });
});

after(async () => {
  await rootClient().delete(`${mount()}/roles/${anyKeyRole}`);
  await rootClient().delete(`${mount()}/roles/${bodyNamesRole}`);
  await session.revoke();
  await closeVaultClients();
});

function sans(pem: string): string[] {
  const ext = new x509.X509Certificate(pem).getExtension("2.5.29.17") as x509.SubjectAlternativeNameExtension;
  return ext.names
    .toJSON()
    .map((n) => `${n.type}:${n.value}`)
    .sort();
}

/** Leaf → issuing CA → the testenv root, and the chain Vault returned ends below the root. */
function assertChains(cert: PkiCertificate): void {
  const leaf = new X509Certificate(cert.certificate);
  const issuing = new X509Certificate(cert.issuing_ca);
  assert.ok(
    leaf.checkIssued(issuing) && leaf.verify(issuing.publicKey),
    "the leaf verifies against issuing_ca",
  );
  assert.ok(
    issuing.checkIssued(rootCa) && issuing.verify(rootCa.publicKey),
    "issuing_ca verifies against the root",
  );
  assert.deepEqual(
    cert.ca_chain.map((c) => new X509Certificate(c).fingerprint256),
    [issuing.fingerprint256],
    "remove_roots_from_chain: the chain is the intermediate alone",
  );
}

/** Status facts read from the certificate equal what Vault reported. */
function assertFacts(cert: PkiCertificate): void {
  const facts = certificateFacts(cert.certificate);
  assert.equal(facts.serialNumber, cert.serial_number);
  assert.equal(facts.expiration, cert.expiration);
}

const spec: PkiRequestSpec = {
  commonName: "app.example.com",
  altNames: ["www.example.com"],
  ipSans: ["127.0.0.1"],
  uriSans: ["spiffe://example.com/ns/demo/sa/app"],
  ttl: "1d",
};
const specNames = [
  "dns:app.example.com",
  "dns:www.example.com",
  "ip:127.0.0.1",
  "url:spiffe://example.com/ns/demo/sa/app",
];

describe("issue", () => {
  test("every name in the spec is in the certificate; key, chain, serial and expiry check out", async () => {
    const cert = await issueCertificate(client, { mount: mount(), role: role(), data: pkiRequestData(spec) });
    assert.deepEqual(sans(cert.certificate), specNames);
    assert.equal(new X509Certificate(cert.certificate).subject, "CN=app.example.com");
    assertChains(cert);
    assertFacts(cert);
    assert.equal(cert.private_key_type, "rsa");
    const key = importPrivateKey(cert.private_key ?? "");
    assert.ok(new X509Certificate(cert.certificate).publicKey.equals(key.publicKey));
    assert.ok(cert.raw.expiration instanceof JsonNumber, "numbers are kept as Vault wrote them");
    // ttl 1d: notAfter − notBefore is a day plus the role's 30 s backdating. Vault reads its clock
    // separately for the two bounds, so a second boundary between them can cost one second.
    const lifetime = cert.expiration - certificateFacts(cert.certificate).notBefore;
    assert.ok(Math.abs(lifetime - (86_400 + 30)) <= 1, `lifetime ${lifetime}`);
  });

  test("the kubernetes.io/tls data: tls.crt and tls.key form a usable pair that chains to the root", async () => {
    const cert = await issueCertificate(client, { mount: mount(), role: role(), data: pkiRequestData(spec) });
    const data = pkiSecretData(cert, { destinationType: "kubernetes.io/tls" });
    const pems = Buffer.from(data["tls.crt"] ?? new Uint8Array())
      .toString()
      .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    assert.equal(pems?.length, 2, "leaf and intermediate");
    const [leaf, intermediate] = (pems ?? []).map((p) => new X509Certificate(p));
    assert.ok(
      leaf && intermediate && leaf.verify(intermediate.publicKey) && intermediate.verify(rootCa.publicKey),
    );
    const key = importPrivateKey(Buffer.from(data["tls.key"] ?? new Uint8Array()).toString());
    assert.ok(leaf?.publicKey.equals(key.publicKey));
    assert.equal(data["ca.crt"], undefined, "VSO writes ca.crt only when the chain is empty");
    assert.equal(Buffer.from(data.expiration ?? new Uint8Array()).toString(), String(cert.expiration));
  });

  test("a fractional-day ttl, which OpenBao refuses as written, is issued once converted", async () => {
    await assert.rejects(
      rootClient().write(`${mount()}/issue/${role()}`, { common_name: "app.example.com", ttl: "1.5d" }),
      (e: unknown) => isVaultError(e, "InvalidRequest"),
    );
    const cert = await issueCertificate(client, {
      mount: mount(),
      role: role(),
      data: pkiRequestData({ commonName: "app.example.com", ttl: "1.5d" }),
    });
    const lifetime = cert.expiration - certificateFacts(cert.certificate).notBefore;
    assert.ok(Math.abs(lifetime - (129_600 + 30)) <= 1, `lifetime ${lifetime}`);
  });

  test("VSO's body, every field sent empty when unset, is refused by OpenBao: Keyport leaves them out", async () => {
    await assert.rejects(
      rootClient().write(`${mount()}/issue/${role()}`, { common_name: "app.example.com", not_after: "" }),
      (e: unknown) => isVaultError(e, "InvalidRequest"),
    );
    const cert = await issueCertificate(client, {
      mount: mount(),
      role: role(),
      data: pkiRequestData({ commonName: "app.example.com", notAfter: "", ttl: "", altNames: [] }),
    });
    assert.deepEqual(sans(cert.certificate), ["dns:app.example.com"]);
  });

  test("through the issuer path, the one VSO 1.4.1 gets wrong", async () => {
    const cert = await issueCertificate(client, {
      mount: mount(),
      role: role(),
      issuerRef: defaultIssuer,
      data: pkiRequestData(spec),
    });
    assertChains(cert);
    // VSO 1.4.1's path, <mount>/issuer/<ref>/<role>, does not exist.
    await assert.rejects(
      rootClient().write(`${mount()}/issuer/${defaultIssuer}/${role()}`, pkiRequestData(spec)),
      (e: unknown) => isVaultError(e, "NotFound"),
    );
  });

  test("privateKeyFormat pkcs8 and format der are passed to Vault", async () => {
    const cert = await issueCertificate(client, {
      mount: mount(),
      role: role(),
      data: pkiRequestData({ commonName: "der.example.com", format: "der", privateKeyFormat: "pkcs8" }),
    });
    assert.ok(!cert.certificate.includes("BEGIN"), "base64 DER");
    assertFacts(cert);
    assert.ok(!(cert.private_key ?? "").includes("BEGIN"));
    const key = importPrivateKey(cert.private_key ?? "");
    assert.ok(new X509Certificate(Buffer.from(cert.certificate, "base64")).publicKey.equals(key.publicKey));
  });

  test("a CN the role forbids is InvalidRequest naming the reason", async () => {
    await assert.rejects(
      issueCertificate(client, {
        mount: mount(),
        role: role(),
        data: pkiRequestData({ commonName: "evil.org" }),
      }),
      (e: unknown) => isVaultError(e, "InvalidRequest") && /not allowed/.test(e.message),
    );
  });
});

describe("sign: the key never leaves the cluster", () => {
  const keys: [string, KeySpec][] = [
    ["RSA-2048", { algorithm: "RSA", size: 2048 }],
    ["ECDSA P-256", { algorithm: "ECDSA", size: 256 }],
    ["Ed25519", { algorithm: "Ed25519" }],
  ];
  for (const [name, keySpec] of keys) {
    test(`${name}: the certificate holds our public key, chains to the root, carries the spec's names`, async () => {
      const key = await generatePrivateKey(keySpec);
      const csr = await createCsr(key, spec);
      const cert = await signCertificate(client, {
        mount: mount(),
        role: anyKeyRole,
        data: pkiRequestData(spec),
        csr,
      });
      assert.equal(cert.private_key, undefined);
      assert.ok(!("private_key" in cert.raw), "no Vault response carried a private key");
      assert.ok(new X509Certificate(cert.certificate).publicKey.equals(key.publicKey));
      assert.deepEqual(sans(cert.certificate), specNames);
      assertChains(cert);
      assertFacts(cert);
      const signedKey = { privateKey: encodePrivateKey(key, "PKCS8"), privateKeyType: "x" };
      const data = pkiSecretData(cert, { destinationType: "kubernetes.io/tls", signedKey });
      assert.equal(Buffer.from(data["tls.key"] ?? new Uint8Array()).toString(), signedKey.privateKey);
    });
  }

  test("RSA-2048 on the fixture role, whose key_type is rsa", async () => {
    const key = await generatePrivateKey({ algorithm: "RSA" });
    const cert = await signCertificate(client, {
      mount: mount(),
      role: role(),
      data: pkiRequestData(spec),
      csr: await createCsr(key, spec),
    });
    assert.ok(new X509Certificate(cert.certificate).publicKey.equals(key.publicKey));
  });

  test("a role with use_csr_sans and use_csr_common_name off still gets the spec's names (from the body)", async () => {
    const key = await generatePrivateKey({ algorithm: "ECDSA" });
    const cert = await signCertificate(client, {
      mount: mount(),
      role: bodyNamesRole,
      data: pkiRequestData(spec),
      csr: await createCsr(key, spec),
    });
    assert.deepEqual(sans(cert.certificate), specNames);
    assert.equal(new X509Certificate(cert.certificate).subject, "CN=app.example.com");
  });

  test("through the issuer path", async () => {
    const key = await generatePrivateKey({ algorithm: "ECDSA" });
    const cert = await signCertificate(client, {
      mount: mount(),
      role: anyKeyRole,
      issuerRef: defaultIssuer,
      data: pkiRequestData(spec),
      csr: await createCsr(key, spec),
    });
    assert.ok(new X509Certificate(cert.certificate).publicKey.equals(key.publicKey));
    assertChains(cert);
  });

  test("a key type the role refuses is InvalidRequest", async () => {
    const key = await generatePrivateKey({ algorithm: "Ed25519" });
    await assert.rejects(
      signCertificate(client, {
        mount: mount(),
        role: role(),
        data: pkiRequestData(spec),
        csr: await createCsr(key, spec),
      }),
      (e: unknown) => isVaultError(e, "InvalidRequest"),
    );
  });
});

describe("revoke", () => {
  test("the serial appears in the mount's revoked list; revoking again is harmless", async () => {
    const cert = await issueCertificate(client, {
      mount: mount(),
      role: role(),
      data: pkiRequestData({ commonName: "revoked.example.com", ttl: "1h" }),
    });
    const revoked = await revokeCertificate(client, { mount: mount(), serialNumber: cert.serial_number });
    assert.ok(revoked.revocationTime > 0);
    const listed = await rootClient().list(`${mount()}/certs/revoked`);
    assert.ok(listed.includes(cert.serial_number), `${cert.serial_number} is in certs/revoked`);
    const again = await revokeCertificate(client, { mount: mount(), serialNumber: cert.serial_number });
    assert.equal(again.revocationTime, revoked.revocationTime);
  });
});
