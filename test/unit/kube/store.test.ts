import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../../src/kube/object.ts";
import { Store } from "../../../src/kube/store.ts";

interface Vss extends KubeObject {
  spec: { vaultAuthRef?: string };
}

function vss(namespace: string, name: string, resourceVersion: string, vaultAuthRef?: string): Vss {
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: "VaultStaticSecret",
    metadata: { namespace, name, resourceVersion },
    spec: vaultAuthRef === undefined ? {} : { vaultAuthRef },
  };
}

function watch(store: Store<Vss>) {
  const seen: string[] = [];
  store.subscribe({
    added: (o) => seen.push(`added ${o.metadata?.namespace}/${o.metadata?.name}`),
    updated: (a, b) =>
      seen.push(`updated ${b.metadata?.name} ${a.metadata?.resourceVersion}→${b.metadata?.resourceVersion}`),
    deleted: (o) => seen.push(`deleted ${o.metadata?.namespace}/${o.metadata?.name}`),
  });
  return seen;
}

describe("Store", () => {
  test("gets by namespace and name, lists all or one namespace", () => {
    const store = new Store<Vss>();
    store.apply(vss("a", "x", "1"));
    store.apply(vss("a", "y", "1"));
    store.apply(vss("b", "x", "1"));
    assert.equal(store.get("a", "x")?.metadata?.namespace, "a");
    assert.equal(store.get("c", "x"), undefined);
    assert.equal(store.list().length, 3);
    assert.deepEqual(
      store.list("a").map((o) => o.metadata?.name),
      ["x", "y"],
    );
    assert.equal(store.size, 3);
  });

  test("reports adds, updates with old and new, and deletes with the last state", () => {
    const store = new Store<Vss>();
    const seen = watch(store);
    store.apply(vss("a", "x", "1"));
    store.apply(vss("a", "x", "2"));
    store.apply(vss("a", "x", "2"));
    store.delete(vss("a", "x", "3"));
    store.delete(vss("a", "x", "4"));
    assert.deepEqual(seen, ["added a/x", "updated x 1→2", "deleted a/x"]);
  });

  test("replace diffs a relist: vanished objects are deleted, new ones added, changed ones updated", () => {
    const store = new Store<Vss>();
    store.apply(vss("a", "kept", "1"));
    store.apply(vss("a", "changed", "1"));
    store.apply(vss("a", "vanished", "1"));
    const seen = watch(store);
    store.replace([vss("a", "kept", "1"), vss("a", "changed", "2"), vss("a", "new", "1")]);
    assert.deepEqual(seen, ["deleted a/vanished", "updated changed 1→2", "added a/new"]);
  });

  test("replace limited to a namespace leaves other namespaces alone", () => {
    const store = new Store<Vss>();
    store.apply(vss("a", "x", "1"));
    store.apply(vss("b", "y", "1"));
    store.replace([], { namespace: "a" });
    assert.equal(store.get("a", "x"), undefined);
    assert.ok(store.get("b", "y"));
  });

  test("indexes find objects by value and follow updates and deletes", () => {
    const store = new Store<Vss>();
    store.apply(vss("a", "before-index", "1", "auth-1"));
    store.addIndex("vaultAuth", (o) =>
      o.spec.vaultAuthRef === undefined ? [] : [`${o.metadata?.namespace}/${o.spec.vaultAuthRef}`],
    );
    store.apply(vss("a", "x", "1", "auth-1"));
    store.apply(vss("a", "y", "1", "auth-2"));
    store.apply(vss("a", "none", "1"));
    const names = (value: string) =>
      store
        .byIndex("vaultAuth", value)
        .map((o) => o.metadata?.name)
        .sort();
    assert.deepEqual(names("a/auth-1"), ["before-index", "x"]);
    store.apply(vss("a", "x", "2", "auth-2"));
    assert.deepEqual(names("a/auth-1"), ["before-index"]);
    assert.deepEqual(names("a/auth-2"), ["x", "y"]);
    store.delete(vss("a", "y", "3"));
    assert.deepEqual(names("a/auth-2"), ["x"]);
    assert.deepEqual(names("b/auth-1"), []);
    assert.throws(() => store.byIndex("missing", "x"), /no index/);
    assert.throws(() => store.addIndex("vaultAuth", () => []), /already exists/);
  });

  test("stored objects are deeply frozen", () => {
    const store = new Store<Vss>();
    store.apply(vss("a", "x", "1", "auth"));
    const cached = store.get("a", "x") as Vss;
    assert.throws(() => {
      cached.spec.vaultAuthRef = "changed";
    }, TypeError);
    assert.equal(store.get("a", "x")?.spec.vaultAuthRef, "auth");
  });

  test("a subscriber that throws does not stop the others or the store", () => {
    const errors: unknown[] = [];
    const store = new Store<Vss>({ onHandlerError: (e) => errors.push(e) });
    store.subscribe({
      added: () => {
        throw new Error("bad handler");
      },
    });
    const seen = watch(store);
    store.apply(vss("a", "x", "1"));
    assert.deepEqual(seen, ["added a/x"]);
    assert.equal(errors.length, 1);
    assert.ok(store.get("a", "x"));
  });

  test("subscribing with replay first reports what is already stored; unsubscribe stops delivery", () => {
    const store = new Store<Vss>();
    store.apply(vss("a", "x", "1"));
    const seen: string[] = [];
    const unsubscribe = store.subscribe(
      { added: (o) => seen.push(o.metadata?.name ?? "") },
      { replay: true },
    );
    store.apply(vss("a", "y", "1"));
    unsubscribe();
    store.apply(vss("a", "z", "1"));
    assert.deepEqual(seen, ["x", "y"]);
  });
});
