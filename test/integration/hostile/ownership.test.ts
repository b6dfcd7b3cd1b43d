// Issue 9, item 7: users editing what Keyport owns, and Keyport meeting Secrets it does not own.
// A created destination that is edited (data changed, a key added or removed) or deleted is put
// back; a Secret Keyport does not own, under the destination's name, is never written — not once,
// as an independent watch witnesses — unless `destination.overwrite: true` and it carries no owner
// marks; a Secret another resource owns is never taken, overwrite or not. Each refusal is a
// condition and an Event that say why.
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import { assertSurvived } from "../../support/hostile/operator-health.ts";
import { conditionOf, eventsFor, manifest } from "../../support/hostile/resources.ts";
import { prepare, scenario, start, teardown } from "../../support/hostile/scenario.ts";
import { recordSecretValues } from "../../support/hostile/secrecy.ts";
import {
  getJson,
  type KeyportProcess,
  kubectl,
  kubernetesRole,
  type SecretView,
  secretText,
  sleep,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { applyAll, isFalse, isTrue, resource, secret, watchSecret } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const s = scenario("owner", 1);
const app = s.namespaces[0] as string;
const kv = uniqueName("hostile-owner");
const role = uniqueName("hostile-owner");
let keyport: KeyportProcess;

function secretValue(): string {
  const value = `own-${uniqueName("v")}-${Math.random().toString(36).slice(2)}`;
  recordSecretValues(testEnv().runDir, [{ value, origin: "ownership.test.ts KV value" }]);
  return value;
}

async function vss(name: string, destination: Record<string, unknown>, refreshAfter = "1h"): Promise<string> {
  const value = secretValue();
  await vault("POST", `kvv2/data/${kv}/${name}`, { data: { value } });
  applyAll(
    resource("VaultStaticSecret", app, name, {
      type: "kv-v2",
      mount: "kvv2",
      path: `${kv}/${name}`,
      refreshAfter,
      destination: { name, ...destination },
    }),
  );
  return value;
}

const secretOf = (name: string) => getJson<SecretView>("secret", app, name);
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** The refusal: SecretSynced False with SecretSyncError and this message, and a Warning Event. */
async function refused(name: string, message: RegExp): Promise<void> {
  const c = await conditionOf("VaultStaticSecret", app, name, "SecretSynced", isFalse);
  assert.equal(c.reason, "SecretSyncError");
  assert.match(c.message, message);
  await eventually(
    () =>
      eventsFor(app, "VaultStaticSecret", name).some(
        (e) => e.type === "Warning" && e.reason === "SecretSyncError" && message.test(e.message ?? ""),
      ),
    { message: `a Warning Event on VaultStaticSecret ${name}` },
  );
}

before(async () => {
  prepare(s);
  s.vaultCleanup.push(`kvv2/metadata/${kv}`, `auth/kubernetes/role/${role}`);
  await kubernetesRole(role, [app]);
  applyAll(
    resource("VaultConnection", s.opNs, "default", { address: testEnv().vault.addr }),
    resource("VaultAuth", s.opNs, "default", {
      method: "kubernetes",
      mount: "kubernetes",
      kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
    }),
  );
  keyport = await start(s);
});

after(async () => {
  await teardown(s);
  await closeAgents();
});

describe("what Keyport owns, users edit", () => {
  test("a created destination: changed data, an added key, a removed key, a deletion — each put back at once", async () => {
    const value = await vss("edited", { create: true });
    await waitForSecret(app, "edited", (d) => d.value === value, 60_000);
    const patches: Array<[string, unknown]> = [
      ["data changed", { data: { value: b64("tampered") } }],
      ["a key added", { data: { injected: b64("by a user") } }],
      ["a key removed", { data: { value: null } }],
    ];
    for (const [what, patch] of patches) {
      kubectl(["-n", app, "patch", "secret", "edited", "--type=merge", "-p", JSON.stringify(patch)]);
      await waitForSecret(app, "edited", (d) => d.value === value && d.injected === undefined, 15_000).catch(
        (error: Error) => {
          error.message = `${what}: ${error.message}`;
          throw error;
        },
      );
    }
    kubectl(["-n", app, "delete", "secret", "edited"]);
    const restored = await waitForSecret(app, "edited", (d) => d.value === value, 15_000);
    assert.equal(restored.metadata.ownerReferences?.length, 1, "recreated with its ownerReference");
  });

  test("a create: false destination: edited data is put back at the next refresh; the user's labels stay", async () => {
    kubectl(["-n", app, "create", "secret", "generic", "existing", "--from-literal=old=x"]);
    kubectl(["-n", app, "label", "secret", "existing", "owner=team-a"]);
    const value = await vss("existing", { create: false }, "2s");
    await waitForSecret(app, "existing", (d) => d.value === value, 60_000);
    kubectl([
      "-n",
      app,
      "patch",
      "secret",
      "existing",
      "--type=merge",
      "-p",
      JSON.stringify({ data: { value: b64("x") } }),
    ]);
    const back = await waitForSecret(app, "existing", (d) => d.value === value, 20_000);
    assert.equal(back.metadata.labels?.owner, "team-a");
  });

  test("a VaultPKISecret's destination deleted or its key replaced: a matching certificate and key come back", async () => {
    applyAll(
      manifest("VaultPKISecret", app, "cert", {
        mount: "pki_int",
        role: "example-dot-com",
        commonName: "owner.example.com",
        ttl: "1h",
        destination: { name: "cert", create: true, type: "kubernetes.io/tls" },
      }),
    );
    const matches = (d: Record<string, string>) => {
      try {
        return new X509Certificate(d["tls.crt"] ?? "").checkPrivateKey(createPrivateKey(d["tls.key"] ?? ""));
      } catch {
        return false;
      }
    };
    await waitForSecret(app, "cert", matches, 60_000);
    kubectl(["-n", app, "delete", "secret", "cert"]);
    await waitForSecret(app, "cert", matches, 30_000);
    // A user's own key in place of ours: the pair no longer matches until Keyport puts it right.
    const other = secretText(secretOf("cert"))?.["tls.key"] ?? "";
    const foreignKey = (await import("node:crypto"))
      .generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    assert.notEqual(foreignKey, other);
    kubectl([
      "-n",
      app,
      "patch",
      "secret",
      "cert",
      "--type=merge",
      "-p",
      JSON.stringify({ data: { "tls.key": b64(foreignKey) } }),
    ]);
    await waitForSecret(app, "cert", (d) => matches(d) && d["tls.key"] !== foreignKey, 30_000);
    await conditionOf("VaultPKISecret", app, "cert", "SecretSynced", isTrue);
  });
});

describe("what Keyport does not own, it never writes", () => {
  test("an unmarked Secret with the destination's name: refused, never written; overwrite: true takes it over", async (t) => {
    kubectl(["-n", app, "create", "secret", "generic", "taken", "--from-literal=mine=user-data"]);
    kubectl(["-n", app, "label", "secret", "taken", "team=x"]);
    const watch = watchSecret(app, "taken");
    try {
      const value = await vss("taken", { create: true });
      await refused(
        "taken",
        /exists and is not managed by this resource; set destination\.overwrite to take it over/,
      );
      // Retries (5 s backoff) go on meanwhile; none may write.
      await sleep(8_000);
      assert.deepEqual(watch.writes, [], "the user's Secret was never written");
      assert.equal(secretText(secretOf("taken"))?.mine, "user-data");
      t.diagnostic("refused without a single write; now overwrite: true");
      kubectl([
        "-n",
        app,
        "patch",
        "vaultstaticsecret",
        "taken",
        "--type=merge",
        "-p",
        JSON.stringify({ spec: { destination: { overwrite: true } } }),
      ]);
      const taken = await waitForSecret(app, "taken", (d) => d.value === value, 60_000);
      assert.equal(secretText(taken)?.mine, undefined, "the data is replaced as a whole");
      assert.equal(taken.metadata.labels?.["app.kubernetes.io/managed-by"], "hashicorp-vso");
      assert.equal(taken.metadata.ownerReferences?.[0]?.name, "taken");
      await conditionOf("VaultStaticSecret", app, "taken", "SecretSynced", isTrue);
    } finally {
      watch.stop();
    }
  });

  test("a Secret another resource owns is never taken, even with overwrite: true", async () => {
    const first = await vss("first", { create: true });
    await waitForSecret(app, "first", (d) => d.value === first, 60_000);
    const watch = watchSecret(app, "first");
    try {
      await vault("POST", `kvv2/data/${kv}/second`, { data: { value: secretValue() } });
      applyAll(
        resource("VaultStaticSecret", app, "second", {
          type: "kv-v2",
          mount: "kvv2",
          path: `${kv}/second`,
          destination: { name: "first", create: true, overwrite: true },
        }),
      );
      await refused("second", /destination Secret .*\/first is owned by another resource/);
      await sleep(6_000);
      assert.deepEqual(watch.writes, [], "the owner's Secret was not written by the other resource");
      assert.equal(secretText(secretOf("first"))?.value, first);
    } finally {
      watch.stop();
    }
  });

  test("a Secret VSO left for a resource that no longer exists (owner marks, unknown UID) is never taken", async () => {
    applyAll({
      ...secret(app, "leftover", { value: "from-another-operator" }),
      metadata: {
        name: "leftover",
        namespace: app,
        labels: {
          "app.kubernetes.io/managed-by": "hashicorp-vso",
          "app.kubernetes.io/name": "vault-secrets-operator",
          "app.kubernetes.io/component": "secret-sync",
          "secrets.hashicorp.com/vso-ownerRefUID": "00000000-0000-4000-8000-000000000000",
        },
      },
    });
    const watch = watchSecret(app, "leftover");
    try {
      await vss("leftover", { create: true, overwrite: true });
      await refused("leftover", /owned by another resource/);
      await sleep(6_000);
      assert.deepEqual(watch.writes, []);
      assert.equal(secretText(secretOf("leftover"))?.value, "from-another-operator");
    } finally {
      watch.stop();
    }
  });

  test("the operator survived all of it", async () => {
    await assertSurvived(keyport, keyport.child.pid);
  });
});
