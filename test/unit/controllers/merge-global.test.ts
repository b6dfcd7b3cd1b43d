import assert from "node:assert/strict";
import { test } from "node:test";
import type { VaultAuthGlobalSpec, VaultAuthSpec } from "../../../src/api/index.ts";
import { AuthConfigError, effectiveAuth } from "../../../src/controllers/vault-auth/merge-global.ts";

const global = {
  defaultAuthMethod: "kubernetes",
  defaultMount: "kubernetes",
  defaultVaultNamespace: "ns-default",
  vaultConnectionRef: "vault-system/conn",
  params: { a: "global", g: "1" },
  headers: { "X-A": "global" },
  kubernetes: {
    role: "global-role",
    serviceAccount: "global-sa",
    tokenExpirationSeconds: 900,
    namespace: "ns-method",
    mount: "k8s-method",
    params: { a: "method", m: "1" },
  },
} as unknown as VaultAuthGlobalSpec;

test("the VaultAuth's values win, the global fills the rest field by field", () => {
  const auth = { kubernetes: { role: "mine", tokenExpirationSeconds: 600 } } as unknown as VaultAuthSpec;
  const e = effectiveAuth(auth, global);
  assert.equal(e.method, "kubernetes");
  assert.equal(e.mount, "k8s-method");
  assert.equal(e.vaultNamespace, "ns-method");
  assert.equal(e.vaultConnectionRef, "vault-system/conn");
  assert.equal(e.kubernetes?.role, "mine");
  assert.equal(e.kubernetes?.serviceAccount, "global-sa");
  assert.equal(e.kubernetes?.tokenExpirationSeconds, 600);
  assert.equal(
    (e.kubernetes as Record<string, unknown>).mount,
    undefined,
    "per-method defaults are not settings",
  );
});

test("merge strategies for params and headers", () => {
  const auth = { params: { a: "auth" } } as unknown as VaultAuthSpec;
  assert.deepEqual(effectiveAuth(auth, global).params, { a: "auth" }, "none (default): VaultAuth only");
  assert.deepEqual(effectiveAuth(auth, global, { params: "union" }).params, { a: "auth", g: "1", m: "1" });
  assert.deepEqual(effectiveAuth({} as VaultAuthSpec, global, { params: "replace" }).params, {
    a: "method",
    m: "1",
  });
  assert.deepEqual(effectiveAuth(auth, global, { params: "replace" }).params, { a: "auth" });
  assert.deepEqual(effectiveAuth({} as VaultAuthSpec, global, { headers: "replace" }).headers, {
    "X-A": "global",
  });
});

test("without a global, the VaultAuth stands alone and is validated", () => {
  const ok = {
    method: "appRole",
    mount: "approle",
    appRole: { roleId: "r", secretRef: "s" },
  } as VaultAuthSpec;
  assert.equal(effectiveAuth(ok).mount, "approle");
  assert.throws(() => effectiveAuth({ method: "kubernetes", mount: "k" } as VaultAuthSpec), AuthConfigError);
  assert.throws(() => effectiveAuth({ method: "jwt", jwt: { role: "r" } } as VaultAuthSpec), /no mount/);
  assert.throws(
    () => effectiveAuth({ method: "jwt", mount: "jwt", jwt: { role: "r" } } as unknown as VaultAuthSpec),
    /serviceAccount or secretRef/,
  );
  assert.throws(() => effectiveAuth({} as VaultAuthSpec), /no auth method/);
});
