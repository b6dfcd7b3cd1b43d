import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  formatPath,
  kindByName,
  ResourceValidationError,
  vaultAuthGlobalKind,
  vaultAuthKind,
  vaultConnectionKind,
  vaultDynamicSecretKind,
  vaultPKISecretKind,
  vaultStaticSecretKind,
} from "../../../src/api/index.ts";
import { invalidFixtures, validFixtures } from "../../fixtures/api/fixtures.ts";

function issuesOf(result: { ok: true } | { ok: false; error: ResourceValidationError }): string[] {
  return result.ok ? [] : result.error.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

const destination = { name: "app" };
const vss = { mount: "kv", path: "app", type: "kv-v2", destination };

describe("fixtures", () => {
  for (const { file, manifests } of validFixtures()) {
    test(`valid/${file} parses`, () => {
      for (const manifest of manifests) {
        const kind = kindByName(manifest.kind);
        assert.ok(kind, `${manifest.kind} is a Keyport kind`);
        const result = kind.parse(manifest);
        assert.deepEqual(issuesOf(result), [], `${manifest.kind} ${manifest.metadata.name}`);
      }
    });
  }

  for (const fixture of invalidFixtures()) {
    test(`invalid/${fixture.file} is rejected: ${fixture.why}`, () => {
      assert.ok(fixture.parseSays.length > 0, "the fixture says what parse() reports");
      const kind = kindByName(fixture.manifest.kind);
      assert.ok(kind);
      const result = kind.parse(fixture.manifest);
      assert.equal(result.ok, false);
      const message = result.ok ? "" : result.error.message;
      for (const words of fixture.parseSays) assert.ok(message.includes(words), `"${words}" in: ${message}`);
    });
  }
});

describe("enums and patterns", () => {
  test("durations: VSO's pattern (s, m, h; decimals allowed), days only for PKI ttl", () => {
    for (const refreshAfter of ["30s", "5m", "1.5h", "0s", "600s"]) {
      assert.deepEqual(issuesOf(vaultStaticSecretKind.parseSpec({ ...vss, refreshAfter })), [], refreshAfter);
    }
    for (const refreshAfter of ["10x", "1d", "5", "-5s", "1h30m", " 5s", "5 s", ".5s"]) {
      assert.equal(vaultStaticSecretKind.parseSpec({ ...vss, refreshAfter }).ok, false, refreshAfter);
    }
    const pki = { mount: "pki", role: "web", destination };
    assert.equal(vaultPKISecretKind.parseSpec({ ...pki, ttl: "30d" }).ok, true);
    assert.equal(vaultPKISecretKind.parseSpec({ ...pki, ttl: "1w" }).ok, false);
    assert.equal(vaultPKISecretKind.parseSpec({ ...pki, expiryOffset: "1d" }).ok, false);
  });

  test("VaultAuth method accepts VSO's five methods and Keyport's token", () => {
    for (const method of ["kubernetes", "jwt", "appRole", "aws", "gcp", "token"]) {
      const spec = { method, vaultAuthGlobalRef: { name: "default" } };
      assert.deepEqual(issuesOf(vaultAuthKind.parseSpec(spec)), [], method);
    }
    assert.match(
      issuesOf(vaultAuthKind.parseSpec({ method: "approle" })).join(),
      /spec\.method: Invalid option/,
    );
  });

  test("VaultAuthGlobal defaultAuthMethod and mergeStrategy enums", () => {
    assert.equal(vaultAuthGlobalKind.parseSpec({ defaultAuthMethod: "token" }).ok, true);
    assert.equal(vaultAuthGlobalKind.parseSpec({ defaultAuthMethod: "oidc" }).ok, false);
    const ref = (headers: string) => ({ vaultAuthGlobalRef: { mergeStrategy: { headers } } });
    for (const strategy of ["union", "replace", "none"])
      assert.equal(vaultAuthKind.parseSpec(ref(strategy)).ok, true);
    assert.equal(vaultAuthKind.parseSpec(ref("merge")).ok, false);
  });

  test("vaultAuthGlobalRef name and namespace patterns", () => {
    const ref = (vaultAuthGlobalRef: object) => vaultAuthKind.parseSpec({ vaultAuthGlobalRef });
    assert.equal(ref({ name: "team-a.default", namespace: "vault-secrets" }).ok, true);
    assert.equal(ref({ name: "Default" }).ok, false);
    assert.equal(ref({ namespace: "team.a" }).ok, false);
    assert.equal(ref({ namespace: "a".repeat(64) }).ok, false);
  });

  test("integer bounds: version ≥ 0, renewalPercent 0–90, tokenExpirationSeconds ≥ 600, renewBeforePercentage 1–99", () => {
    assert.equal(vaultStaticSecretKind.parseSpec({ ...vss, version: 0 }).ok, true);
    assert.equal(vaultStaticSecretKind.parseSpec({ ...vss, version: 1.5 }).ok, false);
    const vds = { mount: "db", path: "creds/app", destination };
    assert.equal(vaultDynamicSecretKind.parseSpec({ ...vds, renewalPercent: 90 }).ok, true);
    assert.equal(vaultDynamicSecretKind.parseSpec({ ...vds, renewalPercent: -1 }).ok, false);
    const k8s = (tokenExpirationSeconds: number) =>
      vaultAuthKind.parseSpec({ method: "kubernetes", kubernetes: { tokenExpirationSeconds } });
    assert.equal(k8s(600).ok, true);
    assert.equal(k8s(599).ok, false);
    const pki = (renewBeforePercentage: number) =>
      vaultPKISecretKind.parseSpec({ mount: "pki", role: "web", destination, renewBeforePercentage });
    assert.equal(pki(1).ok, true);
    assert.equal(pki(99).ok, true);
    assert.equal(pki(0).ok, false);
  });
});

describe("rules VSO checks only at runtime", () => {
  test("CA sources are exclusive; empty strings count as unset", () => {
    const spec = (extra: object) =>
      vaultConnectionKind.parseSpec({ address: "https://vault:8200", ...extra });
    assert.equal(spec({ caCertSecretRef: "ca", caCertPath: "" }).ok, true);
    assert.equal(spec({ caCertConfigMapRef: "ca" }).ok, true);
    assert.equal(spec({ caCertPath: "/ca.crt", caCertConfigMapRef: "ca" }).ok, false);
  });

  test("X-Vault-Namespace is refused in any letter case; other headers pass", () => {
    const spec = (headers: Record<string, string>) =>
      vaultConnectionKind.parseSpec({ address: "https://vault:8200", headers });
    for (const name of ["X-Vault-Namespace", "x-vault-namespace", "X-VAULT-NAMESPACE"]) {
      assert.equal(spec({ [name]: "ns" }).ok, false, name);
    }
    assert.equal(spec({ "X-Vault-Namespaces": "ns", "X-Vault-Request": "true" }).ok, true);
  });

  test("a method's block is required only when no vaultAuthGlobalRef could supply it", () => {
    assert.equal(vaultAuthKind.parseSpec({ method: "gcp" }).ok, false);
    assert.equal(vaultAuthKind.parseSpec({ method: "gcp", gcp: {} }).ok, true);
    assert.equal(
      vaultAuthKind.parseSpec({ method: "gcp", vaultAuthGlobalRef: { allowDefault: true } }).ok,
      true,
    );
    assert.equal(
      vaultAuthKind.parseSpec({ kubernetes: { role: "x" } }).ok,
      true,
      "no method: the global's default",
    );
  });

  test("appRole: secretIDPath absolute without '..', exclusive with secretRef, also in VaultAuthGlobal", () => {
    const appRole = (block: object) => vaultAuthKind.parseSpec({ method: "appRole", appRole: block });
    assert.equal(appRole({ roleId: "r", secretIDPath: "/var/run/secret-id" }).ok, true);
    assert.equal(appRole({ roleId: "r", secretRef: "s", secretIDPath: "" }).ok, true);
    assert.equal(appRole({ secretIDPath: "/var/../secret-id" }).ok, false);
    assert.equal(appRole({ secretIDPath: "secret-id" }).ok, false);
    assert.equal(vaultAuthGlobalKind.parseSpec({ appRole: { secretIDPath: "relative" } }).ok, false);
  });

  test("privateKey: sizes per algorithm, Ed25519 ignores size", () => {
    const key = (privateKey: object) =>
      vaultPKISecretKind.parseSpec({ mount: "pki", role: "web", destination, privateKey });
    assert.equal(key({ algorithm: "RSA", size: 4096 }).ok, true);
    assert.equal(key({ size: 384 }).ok, false, "RSA by default");
    assert.equal(key({ algorithm: "ECDSA", size: 521 }).ok, true);
    assert.equal(key({ algorithm: "Ed25519", size: 256, encoding: "PKCS8" }).ok, true);
  });
});

describe("errors", () => {
  test("name the kind, the object and every field, with VSO's InvalidConfiguration reason", () => {
    const result = vaultStaticSecretKind.parse({
      apiVersion: "secrets.hashicorp.com/v1beta1",
      kind: "VaultStaticSecret",
      metadata: { name: "app", namespace: "demo" },
      spec: { mount: "kv", path: "app", type: "kv-v3", refreshAfter: "10x", destination: {} },
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    const { error } = result;
    assert.ok(error instanceof ResourceValidationError);
    assert.equal(error.reason, "InvalidConfiguration");
    assert.equal(error.kind, "VaultStaticSecret");
    assert.equal(error.objectKey, "demo/app");
    assert.deepEqual(error.issues.map((issue) => issue.path).sort(), [
      "spec.destination.name",
      "spec.refreshAfter",
      "spec.type",
    ]);
    assert.match(error.message, /^VaultStaticSecret demo\/app is invalid: /);
    assert.match(error.message, /spec\.destination\.name: required field is missing/);
    assert.match(error.message, /spec\.refreshAfter: must be a duration/);
  });

  test("paths quote map keys that are not identifiers", () => {
    assert.equal(formatPath(["spec", "headers", "X-Vault-Namespace"]), 'spec.headers["X-Vault-Namespace"]');
    assert.equal(
      formatPath(["spec", "rolloutRestartTargets", 0, "kind"]),
      "spec.rolloutRestartTargets[0].kind",
    );
    assert.equal(formatPath([]), "");
  });
});
