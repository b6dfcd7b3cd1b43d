// Namespace isolation, as VSO defines it: a VaultAuth serves its own namespace, the namespaces
// it lists in allowedNamespaces, and — for `<operator namespace>/default` — every namespace. And
// the operator-wide restriction Keyport adds: --allowed-auth-methods.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import {
  apply,
  createNamespace,
  defaultConnectionAndAuth,
  installCrds,
  type KeyportProcess,
  kubectl,
  kubernetesRole,
  sleep,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import {
  applyAll,
  isFalse,
  isTrue,
  resource,
  secret,
  secretExists,
  view,
  waitForCondition,
} from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const opNs = uniqueName("keyport");
const nsA = uniqueName("team-a");
const nsB = uniqueName("team-b");
const role = uniqueName("iso");
let keyport: KeyportProcess;

function staticSecret(namespace: string, name: string, vaultAuthRef: string | undefined) {
  return resource("VaultStaticSecret", namespace, name, {
    ...(vaultAuthRef === undefined ? {} : { vaultAuthRef }),
    type: "kv-v2",
    mount: "kvv2",
    path: `isolation/${opNs}/${name}`,
    destination: { name, create: true },
  });
}

async function vaultValue(name: string): Promise<string> {
  const value = uniqueName("v");
  await vault("POST", `kvv2/data/isolation/${opNs}/${name}`, { data: { value } });
  return value;
}

/** The VSS is refused with a condition naming the reason, and its Secret never appears. */
async function refused(namespace: string, name: string, message: RegExp): Promise<void> {
  const synced = await waitForCondition("VaultStaticSecret", namespace, name, "SecretSynced", isFalse);
  assert.equal(synced.reason, "VaultClientConfigError");
  assert.match(synced.message, message);
  // The refusal comes before any Vault call or write: still no Secret a moment later.
  await sleep(1000);
  assert.equal(secretExists(namespace, name), false, `no Secret ${namespace}/${name} was written`);
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(nsA);
  createNamespace(nsB);
  // Credentials come from the consumer's namespace: the role admits the default SA of both.
  await kubernetesRole(role, [nsA, nsB]);
  apply(defaultConnectionAndAuth(opNs, role));
  const auth = (name: string, extra: Record<string, unknown> = {}) =>
    resource("VaultAuth", nsA, name, {
      vaultConnectionRef: `${opNs}/default`,
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
      ...extra,
    });
  applyAll(
    auth("private"),
    auth("shared"),
    auth("everyone", { allowedNamespaces: ["*"] }),
    resource("VaultAuth", opNs, "not-default", {
      vaultConnectionRef: "default",
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
    }),
  );
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, nsA, nsB] });
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("namespace isolation", () => {
  test("a VaultAuth serves its own namespace", async () => {
    const value = await vaultValue("own");
    applyAll(staticSecret(nsA, "own", "private"));
    await waitForSecret(nsA, "own", (d) => d.value === value, 60_000);
  });

  test("another namespace is refused without allowedNamespaces; allowing it lets the sync through", async () => {
    const value = await vaultValue("cross");
    applyAll(staticSecret(nsB, "cross", `${nsA}/shared`));
    await refused(nsB, "cross", new RegExp(`VaultAuth ${nsA}/shared does not allow namespace ${nsB}`));
    kubectl([
      "-n",
      nsA,
      "patch",
      "vaultauth",
      "shared",
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { allowedNamespaces: [nsB] } }),
    ]);
    await waitForSecret(nsB, "cross", (d) => d.value === value, 60_000);
    await waitForCondition("VaultStaticSecret", nsB, "cross", "SecretSynced", isTrue);
  });

  test('allowedNamespaces: ["*"] admits every namespace', async () => {
    const value = await vaultValue("star");
    applyAll(staticSecret(nsB, "star", `${nsA}/everyone`));
    await waitForSecret(nsB, "star", (d) => d.value === value, 60_000);
  });

  test("the operator namespace's default VaultAuth is usable from every namespace", async () => {
    const a = await vaultValue("via-default-a");
    const b = await vaultValue("via-default-b");
    // No vaultAuthRef at all, and the explicit reference: both mean <operator ns>/default.
    applyAll(
      staticSecret(nsA, "via-default-a", undefined),
      staticSecret(nsB, "via-default-b", `${opNs}/default`),
    );
    await waitForSecret(nsA, "via-default-a", (d) => d.value === a, 60_000);
    await waitForSecret(nsB, "via-default-b", (d) => d.value === b, 60_000);
  });

  test("only the one named default: another VaultAuth in the operator namespace is refused", async () => {
    await vaultValue("via-other");
    applyAll(staticSecret(nsA, "via-other", `${opNs}/not-default`));
    await refused(
      nsA,
      "via-other",
      new RegExp(`VaultAuth ${opNs}/not-default does not allow namespace ${nsA}`),
    );
  });

  test("a VaultAuthGlobal in another namespace must allow the VaultAuth's namespace", async () => {
    applyAll(
      resource("VaultAuthGlobal", nsA, "global-private", {
        defaultAuthMethod: "kubernetes",
        defaultMount: "kubernetes",
        kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
      }),
      resource("VaultAuth", nsB, "uses-foreign-global", {
        vaultConnectionRef: `${opNs}/default`,
        vaultAuthGlobalRef: { name: "global-private", namespace: nsA },
      }),
    );
    const available = await waitForCondition("VaultAuth", nsB, "uses-foreign-global", "Available", isFalse);
    assert.equal(available.reason, "VaultAuthGlobalRef");
    assert.match(
      available.message,
      new RegExp(`VaultAuthGlobal ${nsA}/global-private does not allow VaultAuths from namespace ${nsB}`),
    );
    assert.equal(view("VaultAuth", nsB, "uses-foreign-global")?.status?.valid, false);
    kubectl([
      "-n",
      nsA,
      "patch",
      "vaultauthglobal",
      "global-private",
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { allowedNamespaces: [nsB] } }),
    ]);
    await waitForCondition("VaultAuth", nsB, "uses-foreign-global", "Available", isTrue);
  });
});

describe("--allowed-auth-methods", () => {
  const restrictedOp = uniqueName("keyport-restricted");
  const nsC = uniqueName("team-c");
  let restricted: KeyportProcess;

  before(async () => {
    createNamespace(restrictedOp);
    createNamespace(nsC);
    await kubernetesRole(`${role}-c`, [nsC]);
    // A working appRole: were the method allowed, it would log in.
    const approle = uniqueName("approle");
    await vault("POST", `auth/approle/role/${approle}`, { token_policies: ["keyport"], token_ttl: "1h" });
    const roleId = (await vault("GET", `auth/approle/role/${approle}/role-id`))?.data?.role_id as string;
    const secretId = (await vault("POST", `auth/approle/role/${approle}/secret-id`, {}))?.data
      ?.secret_id as string;
    applyAll(
      resource("VaultConnection", nsC, "vault", { address: testEnv().vault.addr }),
      secret(nsC, "secret-id", { id: secretId }),
      resource("VaultAuth", nsC, "approle", {
        vaultConnectionRef: "vault",
        method: "appRole",
        mount: "approle",
        appRole: { roleId, secretRef: "secret-id" },
      }),
      resource("VaultAuth", nsC, "kubernetes", {
        vaultConnectionRef: "vault",
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role: `${role}-c`, serviceAccount: "default", audiences: ["vault"] },
      }),
      // The method can come from a global too: what counts is the merged result.
      resource("VaultAuthGlobal", nsC, "approle-global", {
        defaultAuthMethod: "appRole",
        defaultMount: "approle",
        appRole: { roleId, secretRef: "secret-id" },
      }),
      resource("VaultAuth", nsC, "approle-via-global", {
        vaultConnectionRef: "vault",
        vaultAuthGlobalRef: { name: "approle-global" },
      }),
    );
    restricted = await startKeyport({
      operatorNamespace: restrictedOp,
      watchNamespaces: [restrictedOp, nsC],
      args: ["--allowed-auth-methods=kubernetes"],
    });
  });

  after(async () => {
    await restricted?.stop();
  });

  const forbidden =
    /uses auth method appRole, which this operator does not allow \(--allowed-auth-methods=kubernetes\)/;

  test("a VaultAuth with a forbidden method is invalid, with a condition saying why", async () => {
    for (const name of ["approle", "approle-via-global"]) {
      const healthy = await waitForCondition("VaultAuth", nsC, name, "Healthy", isFalse);
      assert.match(healthy.message, forbidden);
      const status = view("VaultAuth", nsC, name)?.status;
      assert.equal(status?.valid, false);
      assert.match(status?.error ?? "", forbidden);
    }
  });

  test("a VaultStaticSecret using it is refused with the same reason; an allowed method syncs", async () => {
    const value = await vaultValue("restricted-ok");
    await vaultValue("restricted-no");
    applyAll(staticSecret(nsC, "restricted-ok", "kubernetes"), staticSecret(nsC, "restricted-no", "approle"));
    await waitForSecret(nsC, "restricted-ok", (d) => d.value === value, 60_000);
    await refused(nsC, "restricted-no", forbidden);
  });
});
