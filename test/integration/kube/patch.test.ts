// Write helpers against the real apiserver: server-side apply, patches, create, update, delete.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/kube/client.ts";
import { isAlreadyExists, isConflict, isInvalid, KubeApiError } from "../../../src/kube/errors.ts";
import type { KubeObject } from "../../../src/kube/object.ts";
import {
  apply,
  applyStatus,
  create,
  deleteObject,
  getObject,
  jsonPatch,
  mergePatch,
  patchStatus,
  update,
  updateWithRetry,
} from "../../../src/kube/patch.ts";
import { configMaps, type ResourceType, secrets } from "../../../src/kube/resource.ts";
import { eventually } from "../../support/eventually.ts";
import { adminClient, freshNamespace } from "../../support/kube.ts";

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

let admin: KubeClient;
let namespace: string;

before(async () => {
  admin = adminClient();
  namespace = await freshNamespace(admin, "patch");
});

after(() => admin.close());

describe("server-side apply", () => {
  test("creates a Secret, updates it, and leaves other managers' fields alone", async () => {
    const desired = (password: string): Secret => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "app", namespace, labels: { "app.kubernetes.io/managed-by": "keyport" } },
      type: "Opaque",
      data: { username: b64("app"), password: b64(password) },
    });
    const created = await apply<Secret>(admin, secrets, desired("one"), { fieldManager: "keyport" });
    assert.equal(created.data?.password, b64("one"));
    assert.ok(created.metadata?.uid);

    // Someone else labels it (a different field manager).
    await mergePatch(
      admin,
      secrets,
      { namespace, name: "app" },
      { metadata: { labels: { team: "payments" } } },
      {
        fieldManager: "kubectl-edit",
      },
    );

    const updated = await apply<Secret>(admin, secrets, desired("two"), { fieldManager: "keyport" });
    assert.equal(updated.data?.password, b64("two"));
    assert.equal(updated.metadata?.labels?.team, "payments", "a field we never applied survives");
    assert.equal(updated.metadata?.uid, created.metadata?.uid);
    const managedFields = (updated.metadata?.managedFields ?? []) as Array<{
      manager: string;
      operation: string;
    }>;
    const managers = managedFields.map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes("keyport/Apply"));

    // A key we stop applying is removed: we owned it.
    const { password: _dropped, ...withoutPassword } = desired("two").data ?? {};
    const shrunk = await apply<Secret>(
      admin,
      secrets,
      { ...desired("two"), data: withoutPassword },
      { fieldManager: "keyport" },
    );
    assert.deepEqual(Object.keys(shrunk.data ?? {}), ["username"]);
  });

  test("a conflicting apply without force fails; with force (the default) it takes the field", async () => {
    const secret = (value: string): Secret => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "contested", namespace },
      data: { key: b64(value) },
    });
    await apply(admin, secrets, secret("ours"), { fieldManager: "keyport" });
    const theirs = secret("theirs");
    await assert.rejects(
      apply(admin, secrets, theirs, { fieldManager: "someone-else", force: false }),
      (error) => {
        assert.ok(isConflict(error));
        return true;
      },
    );
    const taken = await apply<Secret>(admin, secrets, theirs, { fieldManager: "someone-else" });
    assert.equal(taken.data?.key, b64("theirs"));
  });

  test("dry run validates without persisting", async () => {
    await apply(admin, configMaps, { metadata: { name: "dry", namespace }, data: { a: "1" } } as ConfigMap, {
      fieldManager: "keyport",
      dryRun: true,
    });
    assert.equal(await getObject(admin, configMaps, { namespace, name: "dry" }), undefined);
  });
});

describe("patches, create, update and delete", () => {
  test("create fails with AlreadyExists on a taken name", async () => {
    const cm: ConfigMap = { metadata: { name: "once", namespace }, data: { a: "1" } };
    const created = await create<ConfigMap>(admin, configMaps, cm);
    assert.equal(created.kind, "ConfigMap");
    await assert.rejects(create(admin, configMaps, cm), (error) => {
      assert.ok(isAlreadyExists(error));
      assert.ok(error instanceof KubeApiError && error.status === 409);
      return true;
    });
  });

  test("a JSON patch whose test op fails changes nothing", async () => {
    await create(admin, configMaps, {
      metadata: { name: "finalized", namespace, finalizers: ["keyport.dev/a", "other.dev/b"] },
    });
    await assert.rejects(
      jsonPatch(admin, configMaps, { namespace, name: "finalized" }, [
        { op: "test", path: "/metadata/finalizers/0", value: "other.dev/b" },
        { op: "remove", path: "/metadata/finalizers/0" },
      ]),
      (error) => isInvalid(error),
    );
    const removed = await jsonPatch(admin, configMaps, { namespace, name: "finalized" }, [
      { op: "test", path: "/metadata/finalizers/0", value: "keyport.dev/a" },
      { op: "remove", path: "/metadata/finalizers/0" },
    ]);
    assert.deepEqual(removed.metadata?.finalizers, ["other.dev/b"]);
    await mergePatch(admin, configMaps, { namespace, name: "finalized" }, { metadata: { finalizers: null } });
  });

  test("update with a stale resourceVersion fails with Conflict; updateWithRetry rereads and wins", async () => {
    const original = await create<ConfigMap>(admin, configMaps, {
      metadata: { name: "counter", namespace },
      data: { n: "0" },
    });
    await mergePatch(admin, configMaps, { namespace, name: "counter" }, { data: { n: "1" } });
    await assert.rejects(update(admin, configMaps, { ...original, data: { n: "stale" } }), (error) =>
      isConflict(error),
    );

    let attempts = 0;
    const result = await updateWithRetry<ConfigMap>(
      admin,
      configMaps,
      { namespace, name: "counter" },
      async (current) => {
        attempts += 1;
        if (attempts === 1) {
          // Someone writes between our read and our write.
          await mergePatch(
            admin,
            configMaps,
            { namespace, name: "counter" },
            { data: { n: "5", racer: "yes" } },
          );
        }
        return { ...current, data: { ...current.data, n: String(Number(current.data?.n) + 1) } };
      },
    );
    assert.equal(attempts, 2, "the first write lost the race and was retried on fresh data");
    assert.deepEqual(result.data, { n: "6", racer: "yes" });
    const unchanged = await updateWithRetry<ConfigMap>(
      admin,
      configMaps,
      { namespace, name: "counter" },
      () => undefined,
    );
    assert.equal(
      unchanged.metadata?.resourceVersion,
      result.metadata?.resourceVersion,
      "no change, no write",
    );
  });

  test("delete honours uid preconditions and reports an already-deleted object", async () => {
    const first = await create<ConfigMap>(admin, configMaps, { metadata: { name: "recreated", namespace } });
    await deleteObject(admin, configMaps, { namespace, name: "recreated" });
    await create(admin, configMaps, { metadata: { name: "recreated", namespace } });
    await assert.rejects(
      deleteObject(
        admin,
        configMaps,
        { namespace, name: "recreated" },
        { preconditions: { uid: first.metadata?.uid } },
      ),
      (error) => isConflict(error),
    );
    assert.ok(
      await getObject(admin, configMaps, { namespace, name: "recreated" }),
      "the new object survived",
    );
    assert.equal(await deleteObject(admin, configMaps, { namespace, name: "recreated" }), true);
    assert.equal(await deleteObject(admin, configMaps, { namespace, name: "recreated" }), false);
  });
});

describe("status subresource", () => {
  const group = `s${Date.now().toString(36)}.keyport.test`;
  const widgets: ResourceType = {
    apiVersion: `${group}/v1`,
    kind: "Widget",
    plural: "widgets",
    namespaced: true,
  };
  const crds: ResourceType = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
  };
  interface Widget extends KubeObject {
    spec?: { size?: number };
    status?: { phase?: string; observedGeneration?: number };
  }

  before(async () => {
    await create(admin, crds, {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: { type: "object", properties: { size: { type: "integer" } } },
                  status: {
                    type: "object",
                    properties: { phase: { type: "string" }, observedGeneration: { type: "integer" } },
                  },
                },
              },
            },
          },
        ],
      },
    } as KubeObject);
    await eventually(
      async () => {
        try {
          await admin.get(`/apis/${group}/v1/widgets`);
          return true;
        } catch {
          return false;
        }
      },
      { message: "the CRD to be served" },
    );
  });

  after(() => deleteObject(admin, crds, { name: `widgets.${group}` }));

  test("status patches and applies touch status only, and writes to the main resource ignore status", async () => {
    await apply<Widget>(admin, widgets, { metadata: { name: "w", namespace }, spec: { size: 1 } } as Widget, {
      fieldManager: "user",
    });
    const patched = await patchStatus<Widget>(
      admin,
      widgets,
      { namespace, name: "w" },
      { status: { phase: "Ready" } },
    );
    assert.equal(patched.status?.phase, "Ready");
    assert.equal(patched.spec?.size, 1);

    const applied = await applyStatus<Widget>(
      admin,
      widgets,
      { metadata: { name: "w", namespace }, status: { observedGeneration: 1 } } as Widget,
      { fieldManager: "keyport" },
    );
    assert.equal(applied.status?.observedGeneration, 1);
    assert.equal(applied.status?.phase, "Ready", "another manager's status field survives");

    const main = await mergePatch<Widget>(
      admin,
      widgets,
      { namespace, name: "w" },
      { status: { phase: "Ignored" } },
    );
    assert.equal(main.status?.phase, "Ready", "the main resource does not write status");
  });
});
