// The reflector against the real apiserver: list, watch, selectors, relist after 410 Gone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/kube/client.ts";
import { Informer } from "../../../src/kube/informer.ts";
import type { KubeObject } from "../../../src/kube/object.ts";
import { create, deleteObject, mergePatch } from "../../../src/kube/patch.ts";
import { Reflector } from "../../../src/kube/reflector.ts";
import { configMaps, events } from "../../../src/kube/resource.ts";
import { Store } from "../../../src/kube/store.ts";
import { eventually } from "../../support/eventually.ts";
import { adminClient, compactEtcd, freshNamespace } from "../../support/kube.ts";

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

let admin: KubeClient;
let namespace: string;

before(async () => {
  admin = adminClient();
  namespace = await freshNamespace(admin, "reflector");
});

after(() => admin.close());

function configMap(
  name: string,
  labels: Record<string, string>,
  data: Record<string, string> = {},
): ConfigMap {
  return { metadata: { name, namespace, labels }, data };
}

/** Records what a store tells its subscribers. */
function recorder<T extends KubeObject>(store: Store<T>) {
  const seen: string[] = [];
  store.subscribe({
    added: (o) => seen.push(`added ${o.metadata?.name}`),
    updated: (_old, o) => seen.push(`updated ${o.metadata?.name}`),
    deleted: (o) => seen.push(`deleted ${o.metadata?.name}`),
  });
  return seen;
}

describe("Reflector", () => {
  test("lists and watches ConfigMaps matching a label selector: add, update, delete", async () => {
    await create(admin, configMaps, configMap("before-start", { app: "keyport-test" }, { v: "1" }));
    await create(admin, configMaps, configMap("unlabelled", { app: "other" }));
    const client = adminClient();
    const store = new Store<ConfigMap>();
    const seen = recorder(store);
    const reflector = new Reflector<ConfigMap>({
      client,
      resource: configMaps,
      store,
      namespace,
      labelSelector: "app=keyport-test",
      pageSize: 1,
    });
    try {
      reflector.start();
      await reflector.synced;
      assert.equal(reflector.hasSynced, true);
      assert.deepEqual(
        store.list().map((o) => o.metadata?.name),
        ["before-start"],
      );
      const cached = store.get(namespace, "before-start");
      assert.equal(cached?.kind, "ConfigMap", "listed objects get apiVersion and kind like watched ones");
      assert.equal(typeof cached?.metadata?.creationTimestamp, "string", "timestamps stay strings");
      assert.equal(cached?.metadata?.managedFields, undefined, "managedFields are dropped by default");
      assert.ok(Object.isFrozen(cached?.data), "cached objects are frozen");

      await create(admin, configMaps, configMap("added-later", { app: "keyport-test" }, { v: "1" }));
      await eventually(() => store.get(namespace, "added-later"), { message: "the new ConfigMap" });

      await mergePatch(admin, configMaps, { namespace, name: "added-later" }, { data: { v: "2" } });
      await eventually(() => store.get(namespace, "added-later")?.data?.v === "2", { message: "the update" });

      await deleteObject(admin, configMaps, { namespace, name: "before-start" });
      await eventually(() => store.get(namespace, "before-start") === undefined, { message: "the delete" });

      await mergePatch(admin, configMaps, { namespace, name: "unlabelled" }, { data: { ignored: "yes" } });
      await create(admin, configMaps, configMap("sentinel", { app: "keyport-test" }));
      await eventually(() => store.get(namespace, "sentinel"), { message: "the sentinel" });
      assert.equal(
        store.get(namespace, "unlabelled"),
        undefined,
        "objects outside the selector are never cached",
      );
      assert.deepEqual(seen, [
        "added before-start",
        "added added-later",
        "updated added-later",
        "deleted before-start",
        "added sentinel",
      ]);
      assert.equal(reflector.lists, 1, "no relist was needed");
    } finally {
      await reflector.stop();
      await client.close();
    }
  });

  test("a watch that fell out of etcd's history relists, and the relist reports what vanished meanwhile", async () => {
    // Events are not served from the apiserver's watch cache, so a watch from a compacted
    // resourceVersion reaches etcd and comes back 410 Gone — the situation after a long outage.
    const label = { "keyport-test": "gone" };
    const event = (name: string) => ({
      metadata: { name, namespace, labels: label },
      involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: "subject", namespace },
      reason: "Testing",
      message: name,
      type: "Normal",
    });
    await create(admin, events, event("first"));

    const client = adminClient();
    const store = new Store<KubeObject>();
    const seen = recorder(store);
    const errors: unknown[] = [];
    const reflector = new Reflector<KubeObject>({
      client,
      resource: events,
      store,
      namespace,
      labelSelector: "keyport-test=gone",
      // Long enough for the test to change things while the reflector is not watching.
      backoff: { initialMs: 5_000 },
      onError: (error) => errors.push(error),
    });
    try {
      reflector.start();
      await reflector.synced;
      // Seeing an object arrive proves the watch is open.
      await create(admin, events, event("second"));
      await eventually(() => store.size === 2, { message: "the watch to deliver" });

      // Cut the connection: the reflector backs off before watching again from its version…
      await client.close();
      await eventually(() => errors.length > 0, { message: "the broken watch to be reported" });
      // …and meanwhile an object goes, another comes, and etcd forgets that history.
      await deleteObject(admin, events, { namespace, name: "first" });
      await create(admin, events, event("third"));
      await compactEtcd();

      await eventually(() => reflector.lists >= 2, { message: "a relist", timeoutMs: 60_000 });
      await eventually(() => store.get(namespace, "third") && !store.get(namespace, "first"), {
        message: "the store to match the server",
      });
      assert.deepEqual(
        store
          .list()
          .map((o) => o.metadata?.name)
          .sort(),
        ["second", "third"],
      );
      assert.ok(seen.includes("deleted first"), "the relist diff emitted a delete for the vanished object");
      assert.ok(seen.includes("added third"));
      assert.ok(!seen.includes("updated second"), "an unchanged object is not reported as updated");
    } finally {
      await reflector.stop();
      await client.close();
    }
  });

  test("an informer over several namespaces keeps one store and syncs once all have listed", async () => {
    const other = await freshNamespace(admin, "reflector-b");
    const unwatched = await freshNamespace(admin, "reflector-c");
    for (const ns of [namespace, other, unwatched]) {
      await create(admin, configMaps, {
        metadata: { name: "shared-name", namespace: ns, labels: { multi: "yes" } },
      });
    }
    const client = adminClient();
    const informer = new Informer<ConfigMap>({
      client,
      resource: configMaps,
      namespaces: [namespace, other],
      labelSelector: "multi=yes",
    });
    informer.store.addIndex("namespace", (o) => [o.metadata?.namespace ?? ""]);
    try {
      informer.start();
      await informer.synced;
      assert.equal(informer.reflectors.length, 2);
      assert.deepEqual(
        informer.store
          .list()
          .map((o) => o.metadata?.namespace)
          .sort(),
        [namespace, other].sort(),
      );
      assert.equal(informer.store.byIndex("namespace", unwatched).length, 0);
      await deleteObject(admin, configMaps, { namespace: other, name: "shared-name" });
      await eventually(() => informer.store.get(other, "shared-name") === undefined, {
        message: "the delete",
      });
      assert.ok(informer.store.get(namespace, "shared-name"), "the other namespace is untouched");
    } finally {
      await informer.stop();
      await client.close();
    }
  });

  test("keeps retrying a collection it cannot read, and syncs once it can", async () => {
    // A CRD that does not exist yet: 404 on list, retried with backoff until it appears.
    const group = `r${Date.now().toString(36)}.keyport.test`;
    const resource = { apiVersion: `${group}/v1`, kind: "Gadget", plural: "gadgets", namespaced: true };
    const client = adminClient();
    const errors: unknown[] = [];
    const reflector = new Reflector<KubeObject>({
      client,
      resource,
      store: new Store(),
      backoff: { initialMs: 200, maxMs: 1_000 },
      onError: (error) => errors.push(error),
    });
    const crds = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      plural: "customresourcedefinitions",
      namespaced: false,
    };
    try {
      reflector.start();
      await eventually(() => errors.length >= 2, { message: "repeated failures" });
      assert.equal(reflector.hasSynced, false);
      await create(admin, crds, {
        metadata: { name: `gadgets.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            },
          ],
        },
      } as KubeObject);
      await eventually(() => reflector.hasSynced, {
        message: "sync after the CRD appeared",
        timeoutMs: 60_000,
      });
    } finally {
      await reflector.stop();
      await client.close();
      await deleteObject(admin, crds, { name: `gadgets.${group}` });
    }
  });
});
