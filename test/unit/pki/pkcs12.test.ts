// PKCS#12 keystores read back by OpenSSL (and by Java's keytool where installed): the leaf, its
// key, the chain, the encryption, the MAC, and the truststore's trusted CA entries.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey, type X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseCertificates, type ResolvedChain, resolveChain } from "../../../src/pki/chain.ts";
import {
  keystoreKey,
  pkcs12Keystore,
  pkcs12KeystoreData,
  pkcs12Truststore,
  truststoreKey,
} from "../../../src/pki/pkcs12.ts";
import { type LeafAlgorithm, makeCa, makeLeaf, type SyntheticCert } from "../../support/synthetic-pki.ts";

const password = "s3cret-Pa55 with spaces & ünïcode";
let dir: string;
let root: SyntheticCert;
let int: SyntheticCert;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "keyport-p12-"));
  root = await makeCa("P12 Root");
  int = await makeCa("P12 Intermediate", root);
});

after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function write(bytes: Uint8Array): string {
  const path = join(dir, `${files++}.p12`);
  writeFileSync(path, bytes);
  return path;
}

/** `openssl pkcs12 -in … -passin pass:… -nodes`: stdout (PEMs) and stderr (-info's structure). */
function openssl(
  path: string,
  pass: string,
  ...extra: string[]
): { out: string; info: string; status: number | null } {
  const run = spawnSync(
    "openssl",
    ["pkcs12", "-in", path, "-passin", `pass:${pass}`, "-nodes", "-info", ...extra],
    {
      encoding: "utf8",
    },
  );
  return { out: run.stdout, info: `${run.stderr}\n${run.stdout}`, status: run.status };
}

function privateKeyPem(out: string): string | undefined {
  return out.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0];
}

async function chainFor(algorithm: LeafAlgorithm): Promise<{ chain: ResolvedChain; keyPem: string }> {
  const leaf = await makeLeaf(`${algorithm.toLowerCase()}.example.com`, int, algorithm);
  return { chain: await resolveChain(leaf.pem, [int.pem, root.pem]), keyPem: leaf.keyPem };
}

describe("keystore.p12", () => {
  for (const algorithm of ["RSA", "ECDSA", "Ed25519"] as const) {
    test(`${algorithm}: OpenSSL opens it with the password; leaf, matching key, intermediate and root`, async () => {
      const { chain, keyPem } = await chainFor(algorithm);
      const p12 = pkcs12Keystore({
        certificates: [chain.leaf, ...chain.intermediates, chain.root],
        privateKey: keyPem,
        password,
      });
      const { out, info, status } = openssl(write(p12), password);
      assert.equal(status, 0, info);
      const certs = parseCertificates(out);
      assert.deepEqual(
        certs.map((c) => c.fingerprint256),
        [chain.leaf, int.cert, root.cert].map((c) => c.fingerprint256),
      );
      const key = privateKeyPem(out);
      assert.ok(key, "a private key");
      assert.ok(
        (certs[0] as X509Certificate).checkPrivateKey(createPrivateKey(key)),
        "the key is the leaf's",
      );
      // cert-manager's Modern2023 protection; the key entry is named like cert-manager's JKS alias.
      assert.match(info, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      assert.match(info, /MAC: sha256, Iteration 2048/);
      assert.match(info, /friendlyName: certificate/);
      assert.equal((info.match(/localKeyID:/g) ?? []).length, 2, "the key and the leaf share a localKeyID");
    });
  }

  test("a wrong password is refused", async () => {
    const { chain, keyPem } = await chainFor("ECDSA");
    const path = write(
      pkcs12Keystore({ certificates: [chain.leaf, chain.root], privateKey: keyPem, password }),
    );
    assert.notEqual(openssl(path, "wrong").status, 0);
  });

  test("salts are random: two encodings of the same input differ, both open", async () => {
    const { chain, keyPem } = await chainFor("ECDSA");
    const input = { certificates: [chain.leaf, chain.root], privateKey: keyPem, password };
    const [a, b] = [pkcs12Keystore(input), pkcs12Keystore(input)];
    assert.notDeepEqual(a, b);
    assert.equal(openssl(write(a), password).status, 0);
    assert.equal(openssl(write(b), password).status, 0);
  });
});

describe("truststore.p12", () => {
  test("CA certificates only, no key, each marked trusted for Java (aliases ca, ca-1)", () => {
    const path = write(pkcs12Truststore([root.cert, int.cert], password));
    const { out, info, status } = openssl(path, password);
    assert.equal(status, 0, info);
    assert.equal(privateKeyPem(out), undefined);
    assert.deepEqual(
      parseCertificates(out).map((c) => c.subject),
      ["CN=P12 Root", "CN=P12 Intermediate"],
    );
    assert.equal((info.match(/2\.16\.840\.1\.113894\.746875\.1\.1/g) ?? []).length, 2);
    assert.match(info, /friendlyName: ca\n/);
    assert.match(info, /friendlyName: ca-1\n/);
  });
});

test("pkcs12KeystoreData: keystore.p12 (key + leaf + intermediates + root) and truststore.p12 (the root)", async () => {
  const { chain, keyPem } = await chainFor("RSA");
  const data = pkcs12KeystoreData(chain, keyPem, password);
  assert.deepEqual(Object.keys(data).sort(), [keystoreKey, truststoreKey]);
  const keystore = openssl(write(data[keystoreKey] as Uint8Array), password);
  assert.equal(parseCertificates(keystore.out).length, 3);
  const truststore = openssl(write(data[truststoreKey] as Uint8Array), password);
  assert.deepEqual(
    parseCertificates(truststore.out).map((c) => c.fingerprint256),
    [root.cert.fingerprint256],
  );
});

const keytool = spawnSync("keytool", ["-help"], { encoding: "utf8" }).error === undefined;

test("Java's keytool: a PrivateKeyEntry with the whole chain, and a trustedCertEntry", {
  skip: !keytool && "no keytool",
}, async () => {
  // Java's PKCS#12 MAC takes ASCII passwords only.
  const ascii = "changeit-42";
  const { chain, keyPem } = await chainFor("ECDSA");
  const data = pkcs12KeystoreData(chain, keyPem, ascii);
  const list = (bytes: Uint8Array) =>
    execFileSync(
      "keytool",
      ["-list", "-v", "-storetype", "PKCS12", "-keystore", write(bytes), "-storepass", ascii],
      { encoding: "utf8" },
    );
  const keystore = list(data[keystoreKey] as Uint8Array);
  assert.match(
    keystore,
    /Alias name: certificate\n[\s\S]*Entry type: PrivateKeyEntry\nCertificate chain length: 3/,
  );
  const truststore = list(data[truststoreKey] as Uint8Array);
  assert.match(truststore, /Alias name: ca\n[\s\S]*Entry type: trustedCertEntry/);
});
