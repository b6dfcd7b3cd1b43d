// Every auth method logs in to the real OpenBao and syncs a VaultStaticSecret, driven as a user
// does: kubectl apply, wait for the Secret. Then VaultAuthGlobal (by name, by allowDefault, and
// the three merge strategies for login headers and params, observed on the wire through a
// recording pass-through), and Vault namespaces (login inside one, and a secret's own namespace).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  createNamespace,
  getJson,
  installCrds,
  type KeyportProcess,
  kubernetesRole,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import {
  applyAll,
  isFalse,
  isTrue,
  type Manifest,
  resource,
  secret,
  serviceAccountToken,
  view,
  waitForCondition,
} from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";
import { startVaultTap, type TappedRequest, type VaultTap } from "../../support/vault-tap.ts";

const opNs = uniqueName("keyport");
const app = uniqueName("auth");
const other = uniqueName("auth-other");
let keyport: KeyportProcess;
let tap: VaultTap;

/** A VSS in `namespace` reading kvv2/<path> into a created Secret of the same name. */
function staticSecret(
  namespace: string,
  name: string,
  vaultAuthRef: string,
  extra: Record<string, unknown> = {},
) {
  return resource("VaultStaticSecret", namespace, name, {
    vaultAuthRef,
    type: "kv-v2",
    mount: "kvv2",
    path: `auth-methods/${name}`,
    destination: { name, create: true },
    ...extra,
  });
}

/** Writes a value to Vault, applies the VSS (and whatever it needs), and waits for the Secret. */
async function syncsThrough(
  auth: string,
  manifests: Manifest[],
  namespace = app,
  name = uniqueName("s"),
): Promise<string> {
  const value = uniqueName("v");
  await vault("POST", `kvv2/data/auth-methods/${name}`, { data: { value } });
  applyAll(...manifests, staticSecret(namespace, name, auth));
  await waitForSecret(namespace, name, (d) => d.value === value, 60_000);
  const status = await eventually(() => view("VaultStaticSecret", namespace, name)?.status?.vaultClientMeta, {
    message: `vaultClientMeta of ${name}`,
  });
  return status.cacheKey ?? "";
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  createNamespace(other);
  tap = await startVaultTap(testEnv().vault.addr);
  applyAll(
    resource("VaultConnection", app, "vault", { address: testEnv().vault.addr }),
    resource("VaultConnection", app, "tapped", { address: tap.address }),
    resource("VaultConnection", other, "vault", { address: testEnv().vault.addr }),
  );
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app, other] });
});

after(async () => {
  await keyport?.stop();
  await tap?.close();
  await closeAgents();
});

describe("auth methods", () => {
  test("kubernetes: a TokenRequest for the consumer's ServiceAccount, with the role's audience", async () => {
    const role = uniqueName("k8s");
    await kubernetesRole(role, [app]);
    const cacheKey = await syncsThrough("k8s", [
      resource("VaultAuth", app, "k8s", {
        vaultConnectionRef: "vault",
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"], tokenExpirationSeconds: 600 },
      }),
    ]);
    assert.match(cacheKey, /^kubernetes-[0-9a-f]{22}$/);
  });

  test("jwt through a ServiceAccount: Vault checks the token's audience and subject", async () => {
    const role = uniqueName("jwt-sa");
    await vault("POST", `auth/jwt/role/${role}`, {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault"],
      bound_subject: `system:serviceaccount:${app}:default`,
      token_policies: ["keyport"],
      token_ttl: "1h",
    });
    const cacheKey = await syncsThrough("jwt-sa", [
      resource("VaultAuth", app, "jwt-sa", {
        vaultConnectionRef: "vault",
        method: "jwt",
        mount: "jwt",
        jwt: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
    ]);
    assert.match(cacheKey, /^jwt-[0-9a-f]{22}$/);
  });

  test("jwt through a secretRef: a token the user minted with kubectl create token", async () => {
    const role = uniqueName("jwt-ref");
    await vault("POST", `auth/jwt/role/${role}`, {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault"],
      bound_claims: { "/kubernetes.io/namespace": app },
      token_policies: ["keyport"],
      token_ttl: "1h",
    });
    const cacheKey = await syncsThrough("jwt-ref", [
      secret(app, "jwt-token", { jwt: serviceAccountToken(app, "default", "vault") }),
      resource("VaultAuth", app, "jwt-ref", {
        vaultConnectionRef: "vault",
        method: "jwt",
        mount: "jwt",
        jwt: { role, secretRef: "jwt-token" },
      }),
    ]);
    assert.match(cacheKey, /^jwt-[0-9a-f]{22}$/);
  });

  test("jwt against a JWKS mount: Vault fetches the apiserver's keys itself", async () => {
    const role = uniqueName("jwks");
    await vault("POST", `auth/jwt-jwks/role/${role}`, {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault"],
      bound_claims: { "/kubernetes.io/namespace": app },
      token_policies: ["keyport"],
      token_ttl: "1h",
    });
    await syncsThrough("jwks", [
      resource("VaultAuth", app, "jwks", {
        vaultConnectionRef: "vault",
        method: "jwt",
        mount: "jwt-jwks",
        jwt: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
    ]);
  });

  test("appRole: roleId in the VaultAuth, the secret-id from a Secret (key id)", async () => {
    const role = uniqueName("approle");
    await vault("POST", `auth/approle/role/${role}`, { token_policies: ["keyport"], token_ttl: "1h" });
    const roleId = (await vault("GET", `auth/approle/role/${role}/role-id`))?.data?.role_id as string;
    const secretId = (await vault("POST", `auth/approle/role/${role}/secret-id`, {}))?.data
      ?.secret_id as string;
    assert.ok(roleId && secretId);
    const cacheKey = await syncsThrough("approle", [
      secret(app, "approle-secret-id", { id: secretId }),
      resource("VaultAuth", app, "approle", {
        vaultConnectionRef: "vault",
        method: "appRole",
        mount: "approle",
        appRole: { roleId, secretRef: "approle-secret-id" },
      }),
    ]);
    assert.match(cacheKey, /^approle-[0-9a-f]{22}$/);
  });

  test("token (Keyport extension): a Vault token from a Secret (key token)", async () => {
    const created = (await vault("POST", "auth/token/create", {
      policies: ["keyport"],
      ttl: "1h",
    })) as { auth?: { client_token?: string } };
    const token = created.auth?.client_token;
    assert.ok(token);
    const cacheKey = await syncsThrough("static-token", [
      secret(app, "vault-token", { token }),
      resource("VaultAuth", app, "static-token", {
        vaultConnectionRef: "vault",
        method: "token",
        token: { secretRef: "vault-token" },
      }),
    ]);
    assert.match(cacheKey, /^token-[0-9a-f]{22}$/);
  });
  test("a login Vault refuses is reported on the VaultStaticSecret, and nothing is written", async () => {
    const role = uniqueName("approle-bad");
    await vault("POST", `auth/approle/role/${role}`, { token_policies: ["keyport"], token_ttl: "1h" });
    const roleId = (await vault("GET", `auth/approle/role/${role}/role-id`))?.data?.role_id as string;
    const name = uniqueName("refused");
    applyAll(
      secret(app, "wrong-secret-id", { id: "00000000-0000-0000-0000-000000000000" }),
      resource("VaultAuth", app, "refused", {
        vaultConnectionRef: "vault",
        method: "appRole",
        mount: "approle",
        appRole: { roleId, secretRef: "wrong-secret-id" },
      }),
      staticSecret(app, name, "refused"),
    );
    const synced = await waitForCondition("VaultStaticSecret", app, name, "SecretSynced", isFalse);
    assert.equal(synced.reason, "VaultClientError");
    assert.match(synced.message, /login to Vault with VaultAuth .*\/refused failed/);
    assert.equal(getJson("secret", app, name), undefined);
  });
});

describe("VaultAuthGlobal", () => {
  test("by name: the global supplies connection, method, mount and the method's settings", async () => {
    const role = uniqueName("global");
    await kubernetesRole(role, [app]);
    await syncsThrough("from-named", [
      resource("VaultAuthGlobal", app, "named", {
        vaultConnectionRef: "vault",
        defaultAuthMethod: "kubernetes",
        defaultMount: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
      resource("VaultAuth", app, "from-named", { vaultAuthGlobalRef: { name: "named" } }),
    ]);
    const available = await waitForCondition("VaultAuth", app, "from-named", "Available", isTrue);
    assert.equal(available.reason, "VaultAuthGlobalRef");
  });

  test("allowDefault: the global named default in the VaultAuth's namespace", async () => {
    const role = uniqueName("global-default");
    await kubernetesRole(role, [app]);
    await syncsThrough("from-default", [
      resource("VaultAuthGlobal", app, "default", {
        vaultConnectionRef: "vault",
        defaultAuthMethod: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"], mount: "kubernetes" },
      }),
      resource("VaultAuth", app, "from-default", { vaultAuthGlobalRef: { allowDefault: true } }),
    ]);
  });

  test("allowDefault: falls back to the global named default in the operator namespace", async () => {
    const role = uniqueName("global-op");
    await kubernetesRole(role, [other]);
    await syncsThrough(
      "from-operator-default",
      [
        resource("VaultAuthGlobal", opNs, "default", {
          defaultAuthMethod: "kubernetes",
          defaultMount: "kubernetes",
          kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
        }),
        resource("VaultAuth", other, "from-operator-default", {
          vaultConnectionRef: "vault",
          vaultAuthGlobalRef: { allowDefault: true },
        }),
      ],
      other,
    );
  });

  describe("merge strategies for login headers and params", () => {
    // One global with defaults, per-method values and a key both set; each VaultAuth logs in with
    // its own kubernetes role, which tells its login apart on the wire.
    const global = {
      vaultConnectionRef: "tapped",
      defaultAuthMethod: "kubernetes" as const,
      defaultMount: "kubernetes",
      headers: { "X-Keyport-Default": "d", "X-Keyport-Shared": "default" },
      params: { default_param: "d", shared_param: "default" },
      kubernetes: {
        serviceAccount: "default",
        audiences: ["vault"],
        headers: { "X-Keyport-Method": "m", "X-Keyport-Shared": "method" },
        params: { method_param: "m", shared_param: "method" },
      },
    };
    const own = {
      headers: { "X-Keyport-Own": "o", "X-Keyport-Shared": "own" },
      params: { own_param: "o", shared_param: "own" },
    };

    async function loginOf(mergeStrategy: Record<string, string> | undefined, withOwn: boolean) {
      const role = uniqueName("merge");
      await kubernetesRole(role, [app]);
      const auth = uniqueName("merge");
      const name = uniqueName("s");
      await syncsThrough(
        auth,
        [
          resource("VaultAuthGlobal", app, "merge", global),
          resource("VaultAuth", app, auth, {
            vaultAuthGlobalRef: { name: "merge", ...(mergeStrategy === undefined ? {} : { mergeStrategy }) },
            kubernetes: { role },
            ...(withOwn ? own : {}),
          }),
        ],
        app,
        name,
      );
      const login = tap.requests.find(
        (r) => r.method !== "GET" && r.path === "/v1/auth/kubernetes/login" && r.body?.role === role,
      );
      assert.ok(login, `a login with role ${role} went through the tap`);
      const reads = tap.requests.filter((r) => r.path === `/v1/kvv2/data/auth-methods/${name}`);
      return { login, reads };
    }

    const keyportHeaders = (r: TappedRequest) =>
      Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith("x-keyport-")));
    const params = (r: TappedRequest) =>
      Object.fromEntries(Object.entries(r.body ?? {}).filter(([k]) => k.endsWith("_param")));

    test("union: defaults, per-method and own values, the VaultAuth's winning", async () => {
      const { login, reads } = await loginOf({ headers: "union", params: "union" }, true);
      assert.deepEqual(keyportHeaders(login), {
        "x-keyport-default": "d",
        "x-keyport-method": "m",
        "x-keyport-own": "o",
        "x-keyport-shared": "own",
      });
      assert.deepEqual(params(login), {
        default_param: "d",
        method_param: "m",
        own_param: "o",
        shared_param: "own",
      });
      assert.ok(
        typeof login.body?.jwt === "string" && login.body.jwt !== "",
        "the method's own fields are sent",
      );
      // As in VSO, VaultAuth headers go with the login only, not with the secret reads.
      assert.ok(reads.length > 0, "the secret read went through the tap");
      for (const read of reads) assert.deepEqual(keyportHeaders(read), {});
    });

    test("replace: the first non-empty set — the VaultAuth's own", async () => {
      const { login } = await loginOf({ headers: "replace", params: "replace" }, true);
      assert.deepEqual(keyportHeaders(login), { "x-keyport-own": "o", "x-keyport-shared": "own" });
      assert.deepEqual(params(login), { own_param: "o", shared_param: "own" });
    });

    test("replace: without its own, the per-method set replaces the defaults", async () => {
      const { login } = await loginOf({ headers: "replace", params: "replace" }, false);
      assert.deepEqual(keyportHeaders(login), { "x-keyport-method": "m", "x-keyport-shared": "method" });
      assert.deepEqual(params(login), { method_param: "m", shared_param: "method" });
    });

    test("none: only the VaultAuth's own", async () => {
      const { login } = await loginOf({ headers: "none", params: "none" }, true);
      assert.deepEqual(keyportHeaders(login), { "x-keyport-own": "o", "x-keyport-shared": "own" });
      assert.deepEqual(params(login), { own_param: "o", shared_param: "own" });
    });

    test("unset means none: nothing from the global", async () => {
      const { login } = await loginOf(undefined, false);
      assert.deepEqual(keyportHeaders(login), {});
      assert.deepEqual(params(login), {});
    });
  });
});

describe("Vault namespaces", () => {
  const vaultNs = uniqueName("team");
  const child = "child";

  before(async () => {
    const env = testEnv();
    await vault("POST", `sys/namespaces/${vaultNs}`, {});
    await vault("POST", `sys/namespaces/${child}`, {}, vaultNs);
    // Inside the namespace: its own kv-v2 and its own kubernetes auth, configured as the testenv
    // configures the root one (same apiserver, same token reviewer).
    await vault("POST", "sys/mounts/kv", { type: "kv", options: { version: "2" } }, vaultNs);
    await vault("POST", "kv/data/app", { data: { where: "team" } }, vaultNs);
    await vault("POST", "sys/mounts/kv", { type: "kv", options: { version: "2" } }, `${vaultNs}/${child}`);
    await vault("POST", "kv/data/app", { data: { where: "child" } }, `${vaultNs}/${child}`);
    await vault("POST", "sys/auth/kubernetes", { type: "kubernetes" }, vaultNs);
    await vault(
      "POST",
      "auth/kubernetes/config",
      {
        kubernetes_host: env.kube.apiUrl,
        kubernetes_ca_cert: readFileSync(env.kube.caFile, "utf8"),
        token_reviewer_jwt: env.kube.reviewerJwt,
        disable_local_ca_jwt: true,
      },
      vaultNs,
    );
    // A namespace's policy reaches its children by path prefix.
    await vault(
      "PUT",
      "sys/policies/acl/reader",
      {
        policy: `path "kv/data/*" { capabilities = ["read"] }\npath "${child}/kv/data/*" { capabilities = ["read"] }`,
      },
      vaultNs,
    );
    await vault(
      "POST",
      "auth/kubernetes/role/reader",
      {
        bound_service_account_names: ["default"],
        bound_service_account_namespaces: [app],
        audience: "vault",
        token_policies: ["reader"],
        token_ttl: "1h",
      },
      vaultNs,
    );
    applyAll(
      resource("VaultAuth", app, "in-namespace", {
        vaultConnectionRef: "vault",
        namespace: vaultNs,
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role: "reader", serviceAccount: "default", audiences: ["vault"] },
      }),
    );
  });

  test("a VaultAuth with namespace logs in and reads inside it", async () => {
    applyAll(
      resource("VaultStaticSecret", app, "ns-read", {
        vaultAuthRef: "in-namespace",
        type: "kv-v2",
        mount: "kv",
        path: "app",
        destination: { name: "ns-read", create: true },
      }),
    );
    await waitForSecret(app, "ns-read", (d) => d.where === "team", 60_000);
  });

  test("a VaultStaticSecret's spec.namespace overrides where it reads", async () => {
    applyAll(
      resource("VaultStaticSecret", app, "ns-override", {
        vaultAuthRef: "in-namespace",
        namespace: `${vaultNs}/${child}`,
        type: "kv-v2",
        mount: "kv",
        path: "app",
        destination: { name: "ns-override", create: true },
      }),
    );
    await waitForSecret(app, "ns-override", (d) => d.where === "child", 60_000);
    const status = await eventually(
      () => view("VaultStaticSecret", app, "ns-override")?.status?.vaultClientMeta,
    );
    assert.match(status.cacheKey ?? "", new RegExp(`^kubernetes-[0-9a-f]{22}-${vaultNs}/${child}$`));
  });

  test("a root-namespace login reads a team namespace named by the secret", async () => {
    const role = uniqueName("ns-root");
    await vault("PUT", `sys/policies/acl/${role}`, {
      policy: `path "${vaultNs}/kv/data/*" { capabilities = ["read"] }`,
    });
    await kubernetesRole(role, [app], role);
    applyAll(
      resource("VaultAuth", app, "root-login", {
        vaultConnectionRef: "vault",
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
      resource("VaultStaticSecret", app, "ns-from-root", {
        vaultAuthRef: "root-login",
        namespace: vaultNs,
        type: "kv-v2",
        mount: "kv",
        path: "app",
        destination: { name: "ns-from-root", create: true },
      }),
    );
    await waitForSecret(app, "ns-from-root", (d) => d.where === "team", 60_000);
  });
});
