// Every auth method logs in to the real OpenBao and the token it gets carries the keyport policy.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { appRoleAuth } from "../../../src/vault/auth/approle.ts";
import { jwtAuth } from "../../../src/vault/auth/jwt.ts";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import type { AuthStrategy } from "../../../src/vault/auth/strategy.ts";
import { tokenAuth } from "../../../src/vault/auth/token.ts";
import { isVaultError } from "../../../src/vault/errors.ts";
import {
  closeVaultClients,
  env,
  lookupAccessor,
  rootClient,
  serviceAccountJwt,
  vaultHttp,
} from "../../support/vault-env.ts";

after(closeVaultClients);

async function assertLogsIn(auth: AuthStrategy): Promise<string> {
  const grant = await auth.authenticate(vaultHttp());
  assert.ok(grant.token.length > 0);
  assert.ok(grant.accessor.length > 0);
  assert.ok(grant.policies.includes(env().fixtures.policy), `policies ${grant.policies.join(",")}`);
  const seen = await lookupAccessor(grant.accessor);
  assert.ok(seen, "Vault knows the token");
  assert.deepEqual([...((seen.policies as string[]) ?? [])].sort(), ["default", env().fixtures.policy]);
  return grant.accessor;
}

describe("auth methods", () => {
  const f = () => env().fixtures;

  test("kubernetes: a TokenRequest JWT reviewed by the apiserver", async () => {
    await assertLogsIn(
      kubernetesAuth({ mount: f().kubernetesAuthMount, role: f().role, jwt: () => serviceAccountJwt() }),
    );
  });

  test("jwt: the same JWT checked against the service-account public key", async () => {
    await assertLogsIn(jwtAuth({ mount: f().jwtAuthMount, role: f().role, jwt: () => serviceAccountJwt() }));
  });

  test("jwt: checked against the apiserver's JWKS", async () => {
    await assertLogsIn(jwtAuth({ mount: f().jwksAuthMount, role: f().role, jwt: () => serviceAccountJwt() }));
  });

  test("appRole: role-id and a secret-id created as root", async () => {
    const root = rootClient();
    const roleId = (await root.read<{ role_id: string }>(`auth/${f().approleMount}/role/${f().role}/role-id`))
      .data?.role_id;
    const secretId = (
      await root.write<{ secret_id: string }>(`auth/${f().approleMount}/role/${f().role}/secret-id`, {})
    ).data?.secret_id;
    assert.ok(roleId && secretId);
    await assertLogsIn(appRoleAuth({ mount: f().approleMount, roleId, secretId }));
  });

  test("token: a static token is looked up, not logged in with", async () => {
    const created = await rootClient().write("auth/token/create", {
      policies: [f().policy],
      ttl: "1h",
      renewable: true,
    });
    const token = created.auth?.client_token;
    assert.ok(token);
    const grant = await tokenAuth({ token }).authenticate(vaultHttp());
    assert.equal(grant.token, token);
    assert.equal(grant.accessor, created.auth?.accessor);
    assert.equal(grant.renewable, true);
    assert.ok(grant.ttlSeconds > 3500 && grant.ttlSeconds <= 3600, `ttl ${grant.ttlSeconds}`);
    assert.ok(grant.policies.includes(f().policy));
  });

  test("a revoked static token is TokenExpired", async () => {
    const created = await rootClient().write("auth/token/create", { policies: [f().policy], ttl: "1h" });
    const token = created.auth?.client_token;
    assert.ok(token);
    await rootClient().write("auth/token/revoke-accessor", { accessor: created.auth?.accessor });
    await assert.rejects(tokenAuth({ token }).authenticate(vaultHttp()), (e: unknown) =>
      isVaultError(e, "TokenExpired"),
    );
  });

  test("a JWT for another audience is refused: PermissionDenied", async () => {
    const auth = kubernetesAuth({
      mount: f().kubernetesAuthMount,
      role: f().role,
      jwt: () => serviceAccountJwt("not-vault"),
    });
    await assert.rejects(auth.authenticate(vaultHttp()), (e: unknown) => isVaultError(e, "PermissionDenied"));
  });

  test("an unknown role is InvalidRequest", async () => {
    const auth = kubernetesAuth({
      mount: f().kubernetesAuthMount,
      role: "no-such-role",
      jwt: () => serviceAccountJwt(),
    });
    await assert.rejects(auth.authenticate(vaultHttp()), (e: unknown) => isVaultError(e, "InvalidRequest"));
  });
});
