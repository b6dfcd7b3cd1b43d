import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { appRoleAuth } from "../../../src/vault/auth/approle.ts";
import { createAuthStrategy } from "../../../src/vault/auth/config.ts";
import { jwtAuth } from "../../../src/vault/auth/jwt.ts";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";

describe("login requests", () => {
  test("kubernetes: role and JWT to auth/<mount>/login in the auth namespace", async () => {
    const auth = kubernetesAuth({ mount: "/k8s-prod/", role: "app", jwt: "jwt-value", namespace: "team-a" });
    assert.deepEqual(await auth.loginRequest(), {
      path: "auth/k8s-prod/login",
      body: { role: "app", jwt: "jwt-value" },
      headers: {},
      namespace: "team-a",
    });
    assert.equal(auth.ownsToken, true);
  });

  test("params are merged into the body, but never override the method's own fields", async () => {
    const auth = jwtAuth({
      mount: "jwt",
      role: "app",
      jwt: "real",
      params: { jwt: "from-params", extra: "yes" },
      headers: { "X-Custom": "1" },
    });
    const req = await auth.loginRequest();
    assert.deepEqual(req.body, { jwt: "real", extra: "yes", role: "app" });
    assert.deepEqual(req.headers, { "X-Custom": "1" });
  });

  test("credentials given as functions are read at every login", async () => {
    let n = 0;
    const auth = appRoleAuth({ mount: "approle", roleId: "rid", secretId: () => `secret-${++n}` });
    assert.equal((await auth.loginRequest()).body.secret_id, "secret-1");
    assert.equal((await auth.loginRequest()).body.secret_id, "secret-2");
  });

  test("jwt without a role relies on the mount's default_role", async () => {
    assert.deepEqual((await jwtAuth({ mount: "jwt", jwt: "j" }).loginRequest()).body, { jwt: "j" });
  });

  test("an empty mount is refused", () => {
    assert.throws(() => kubernetesAuth({ mount: "/", role: "r", jwt: "j" }), /mount/);
  });

  test("createAuthStrategy dispatches on method", () => {
    assert.equal(createAuthStrategy({ method: "appRole", mount: "approle", roleId: "r" }).method, "appRole");
    const token = createAuthStrategy({ method: "token", token: "t" });
    assert.equal(token.method, "token");
    assert.equal(token.ownsToken, false);
  });
});
