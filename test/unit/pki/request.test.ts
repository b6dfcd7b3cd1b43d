// The PKI request body and paths, checked field by field against what VSO v1.4.1 sends.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pkiIssuePath, pkiRequestData, pkiSignPath, vaultTtl } from "../../../src/vault/engines/pki.ts";

test("every VaultPKISecret field maps to its Vault parameter", () => {
  assert.deepEqual(
    pkiRequestData({
      commonName: "app.example.com",
      altNames: ["www.example.com", "ops@example.com"],
      ipSans: ["10.0.0.1", "::1"],
      uriSans: ["spiffe://example.com/app"],
      otherSans: ["1.3.6.1.4.1.311.20.2.3;utf8:app@example.com"],
      userIDs: ["u1", "u2"],
      ttl: "72h",
      format: "pem_bundle",
      privateKeyFormat: "pkcs8",
      notAfter: "2030-01-01T00:00:00Z",
      excludeCNFromSans: true,
    }),
    {
      common_name: "app.example.com",
      alt_names: "www.example.com,ops@example.com",
      ip_sans: ["10.0.0.1", "::1"],
      uri_sans: ["spiffe://example.com/app"],
      other_sans: ["1.3.6.1.4.1.311.20.2.3;utf8:app@example.com"],
      user_ids: ["u1", "u2"],
      ttl: "72h",
      not_after: "2030-01-01T00:00:00Z",
      exclude_cn_from_sans: true,
      remove_roots_from_chain: true,
      format: "pem_bundle",
      private_key_format: "pkcs8",
    },
  );
});

test("unset and empty fields are left out (OpenBao refuses an empty not_after); roots never in the chain", () => {
  assert.deepEqual(pkiRequestData({}), { remove_roots_from_chain: true });
  assert.deepEqual(
    pkiRequestData({
      commonName: "",
      altNames: [],
      ipSans: [],
      uriSans: [],
      otherSans: [],
      userIDs: [],
      ttl: "",
      notAfter: "",
      format: "",
      privateKeyFormat: "",
    }),
    { remove_roots_from_chain: true },
  );
  assert.deepEqual(pkiRequestData({ excludeCNFromSans: false }), {
    exclude_cn_from_sans: false,
    remove_roots_from_chain: true,
  });
});

test("a ttl in days becomes whole seconds; s, m and h pass unchanged", () => {
  assert.equal(vaultTtl("1d"), "86400s");
  assert.equal(vaultTtl("14d"), "1209600s");
  assert.equal(vaultTtl("1.5d"), "129600s");
  assert.equal(vaultTtl("0.1d"), "8640s");
  assert.equal(vaultTtl("0.00001d"), "1s");
  assert.equal(vaultTtl("72h"), "72h");
  assert.equal(vaultTtl("1.5h"), "1.5h");
  assert.equal(vaultTtl("90s"), "90s");
  assert.equal(vaultTtl(""), "");
  assert.equal(pkiRequestData({ ttl: "30d" }).ttl, "2592000s");
});

test("issue and sign paths, with the issuer path VSO 1.4.1 gets wrong", () => {
  assert.equal(pkiIssuePath("pki_int", "web"), "pki_int/issue/web");
  assert.equal(pkiIssuePath("/pki_int/", "web", ""), "pki_int/issue/web");
  assert.equal(pkiIssuePath("pki_int", "web", "my-issuer"), "pki_int/issuer/my-issuer/issue/web");
  assert.equal(pkiSignPath("pki_int", "web"), "pki_int/sign/web");
  assert.equal(pkiSignPath("pki_int", "web", "my-issuer"), "pki_int/issuer/my-issuer/sign/web");
});
