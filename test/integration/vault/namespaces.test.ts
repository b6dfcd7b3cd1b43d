// Vault namespaces, which OpenBao serves: a namespace created as root, a kv mount and an AppRole
// inside it, reads through the namespace header, per client and per request.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { appRoleAuth } from "../../../src/vault/auth/approle.ts";
import { VaultClientCache } from "../../../src/vault/cache.ts";
import { readKvV2 } from "../../../src/vault/engines/kv.ts";
import { lookupSelf } from "../../../src/vault/engines/sys.ts";
import { isVaultError } from "../../../src/vault/errors.ts";
import { closeVaultClients, rootClient, uid, unique, vaultHttp } from "../../support/vault-env.ts";

const namespace = unique("team-a");
const cache = new VaultClientCache();

before(async () => {
  const root = rootClient();
  await root.write(`sys/namespaces/${namespace}`, {});
  const inNs = root.withNamespace(namespace);
  await inNs.write("sys/mounts/kv", { type: "kv", options: { version: "2" } });
  await inNs.write("kv/data/app", { data: { team: "a" } });
  await inNs.write("sys/policies/acl/reader", { policy: 'path "kv/data/*" { capabilities = ["read"] }' });
  await inNs.write("sys/auth/approle", { type: "approle" });
  await inNs.write("auth/approle/role/reader", { token_policies: ["reader"], token_ttl: "1h" });
});

after(async () => {
  await cache.prune(() => true);
  try {
    const inNs = rootClient().withNamespace(namespace);
    await inNs.delete("sys/auth/approle");
    await inNs.delete("sys/mounts/kv");
    await rootClient().delete(`sys/namespaces/${namespace}`);
  } catch {
    // Best effort: the environment is thrown away after the run.
  }
  await closeVaultClients();
});

describe("namespaces", () => {
  test("the namespace exists", async () => {
    assert.ok((await rootClient().list("sys/namespaces")).includes(`${namespace}/`));
  });

  test("a root-namespace token reads inside the namespace via withNamespace", async () => {
    const secret = await readKvV2(rootClient().withNamespace(namespace), { mount: "kv", path: "app" });
    assert.deepEqual(secret.data, { team: "a" });
  });

  test("a per-request namespace overrides the client's", async () => {
    const secret = await readKvV2(rootClient(), { mount: "kv", path: "app", namespace });
    assert.equal(secret.data.team, "a");
  });

  test("without the namespace the mount does not exist", async () => {
    await assert.rejects(readKvV2(rootClient(), { mount: "kv", path: "app" }), (e: unknown) =>
      isVaultError(e),
    );
  });

  test("a login in the namespace: the token lives there and reads there by default", async () => {
    const inNs = rootClient().withNamespace(namespace);
    const roleId =
      (await inNs.read<{ role_id: string }>("auth/approle/role/reader/role-id")).data?.role_id ?? "";
    const secretId = (await inNs.write<{ secret_id: string }>("auth/approle/role/reader/secret-id", {})).data
      ?.secret_id;
    const http = vaultHttp();
    const { client, session } = await cache.get(
      {
        authMethod: "appRole",
        authUID: uid(9_000_000 + process.pid),
        authGeneration: 1,
        connectionUID: uid(1),
        connectionGeneration: 1,
        providerUID: "approle-secret",
      },
      () => ({ http, auth: appRoleAuth({ mount: "approle", roleId, secretId, namespace }) }),
    );
    assert.equal(client.namespace, namespace);
    assert.deepEqual((await readKvV2(client, { mount: "kv", path: "app" })).data, { team: "a" });
    const self = await lookupSelf(client);
    assert.equal(self.namespace_path, `${namespace}/`);
    assert.ok(session.describe()?.policies.includes("reader"));
  });
});
