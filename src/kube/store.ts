// The cache reconciles read instead of the API server. One Store per kind; reflectors write it,
// controllers read it and subscribe to its changes to enqueue keys. Secondary indexes answer
// "which objects point at X" (VaultStaticSecrets using VaultAuth X, Secrets owned by Y) without a
// scan. Objects are deep-frozen: a reconcile that mutates a cached object would corrupt every
// other reader, so it must copy first (structuredClone) — and finds out at once if it forgets.
import type { KubeObject } from "./object.ts";

export interface StoreHandlers<T> {
  added?(object: T): void;
  updated?(previous: T, current: T): void;
  /** `object` is the last state seen (for a watch DELETED, the state at deletion). */
  deleted?(object: T): void;
}

/** What a controller may do with a store: read, look up by index, watch changes. */
export interface StoreReader<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  byIndex(index: string, value: string): T[];
  subscribe(handlers: StoreHandlers<T>, options?: { replay?: boolean }): () => void;
  readonly size: number;
}

export type IndexFunction<T> = (object: T) => readonly string[];

export interface StoreOptions {
  /** Deep-freeze stored objects (default true). */
  freeze?: boolean;
  /** A subscriber threw; the store and the other subscribers carry on. */
  onHandlerError?: (error: unknown) => void;
}

interface Index<T> {
  fn: IndexFunction<T>;
  /** index value → store keys */
  byValue: Map<string, Set<string>>;
  /** store key → the values it is filed under */
  byKey: Map<string, readonly string[]>;
}

/** "namespace/name", or "/name" for cluster-scoped objects. */
export function storeKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

export function objectStoreKey(object: KubeObject): string {
  return storeKey(object.metadata?.namespace, object.metadata?.name ?? "");
}

export class Store<T extends KubeObject> implements StoreReader<T> {
  readonly #objects = new Map<string, T>();
  readonly #indexes = new Map<string, Index<T>>();
  readonly #subscribers = new Set<StoreHandlers<T>>();
  readonly #freeze: boolean;
  readonly #onHandlerError: (error: unknown) => void;

  constructor(options: StoreOptions = {}) {
    this.#freeze = options.freeze ?? true;
    this.#onHandlerError = options.onHandlerError ?? (() => {});
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#objects.get(storeKey(namespace, name));
  }

  /** Every object, or those in one namespace. */
  list(namespace?: string): T[] {
    const all = [...this.#objects.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata?.namespace ?? "") === namespace);
  }

  get size(): number {
    return this.#objects.size;
  }

  /**
   * Files every object (present and future) under the values `fn` returns. Values are opaque
   * strings; include the namespace where names are namespaced ("ns/vault-auth-name").
   */
  addIndex(name: string, fn: IndexFunction<T>): void {
    if (this.#indexes.has(name)) throw new Error(`index "${name}" already exists`);
    const index: Index<T> = { fn, byValue: new Map(), byKey: new Map() };
    this.#indexes.set(name, index);
    for (const [key, object] of this.#objects) this.#fileUnder(index, key, object);
  }

  byIndex(name: string, value: string): T[] {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new Error(`no index "${name}"`);
    const keys = index.byValue.get(value);
    if (keys === undefined) return [];
    return [...keys].map((key) => this.#objects.get(key)).filter((o): o is T => o !== undefined);
  }

  /**
   * Calls `handlers` for every change from now on; with `replay`, first as `added` for each object
   * already stored. Returns an unsubscribe function.
   */
  subscribe(handlers: StoreHandlers<T>, options: { replay?: boolean } = {}): () => void {
    this.#subscribers.add(handlers);
    if (options.replay) {
      for (const object of this.#objects.values()) this.#call(() => handlers.added?.(object));
    }
    return () => this.#subscribers.delete(handlers);
  }

  /** Adds or updates one object. An unchanged resourceVersion is not an update. */
  apply(object: T): void {
    const key = objectStoreKey(object);
    const previous = this.#objects.get(key);
    if (previous !== undefined && sameVersion(previous, object)) return;
    const stored = this.#freeze ? deepFreeze(object) : object;
    this.#objects.set(key, stored);
    this.#reindex(key, stored);
    if (previous === undefined) this.#emit((h) => h.added?.(stored));
    else this.#emit((h) => h.updated?.(previous, stored));
  }

  /** Removes one object; `object` need only carry namespace and name. */
  delete(object: T): void {
    const key = objectStoreKey(object);
    const previous = this.#objects.get(key);
    if (previous === undefined) return;
    this.#objects.delete(key);
    this.#reindex(key, undefined);
    const last =
      object.metadata?.resourceVersion === undefined ? previous : this.#freeze ? deepFreeze(object) : object;
    this.#emit((h) => h.deleted?.(last));
  }

  /**
   * Makes the stored objects in `scope` (one namespace, or everything) equal `objects`, as after
   * a (re)list: vanished objects are deleted, new ones added, changed ones updated — each with
   * its event. Objects outside the scope are untouched, so per-namespace reflectors can share a
   * store.
   */
  replace(objects: readonly T[], scope: { namespace?: string | undefined } = {}): void {
    const incoming = new Set(objects.map(objectStoreKey));
    for (const [key, existing] of [...this.#objects]) {
      const inScope =
        scope.namespace === undefined || (existing.metadata?.namespace ?? "") === scope.namespace;
      if (inScope && !incoming.has(key)) this.delete(existing);
    }
    for (const object of objects) this.apply(object);
  }

  #reindex(key: string, object: T | undefined): void {
    for (const index of this.#indexes.values()) {
      for (const value of index.byKey.get(key) ?? []) {
        const keys = index.byValue.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.byValue.delete(value);
      }
      index.byKey.delete(key);
      if (object !== undefined) this.#fileUnder(index, key, object);
    }
  }

  #fileUnder(index: Index<T>, key: string, object: T): void {
    let values: readonly string[];
    try {
      values = [...new Set(index.fn(object))];
    } catch (error) {
      this.#onHandlerError(error);
      return;
    }
    index.byKey.set(key, values);
    for (const value of values) {
      let keys = index.byValue.get(value);
      if (keys === undefined) {
        keys = new Set();
        index.byValue.set(value, keys);
      }
      keys.add(key);
    }
  }

  #emit(call: (handlers: StoreHandlers<T>) => void): void {
    for (const handlers of this.#subscribers) this.#call(() => call(handlers));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#onHandlerError(error);
    }
  }
}

function sameVersion(a: KubeObject, b: KubeObject): boolean {
  const version = a.metadata?.resourceVersion;
  return version !== undefined && version === b.metadata?.resourceVersion;
}

function deepFreeze<V>(value: V): V {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
