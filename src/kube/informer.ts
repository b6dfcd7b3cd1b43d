// A store plus the reflectors that fill it: one reflector for the whole cluster, or one per
// namespace when the operator is installed to watch only some namespaces (RBAC then grants
// list/watch per namespace, so a single cluster-wide watch would be forbidden).

import type { KubeObject } from "./object.ts";
import { Reflector, type ReflectorOptions } from "./reflector.ts";
import { Store, type StoreOptions } from "./store.ts";

export interface InformerOptions<T extends KubeObject>
  extends Omit<ReflectorOptions<T>, "store" | "namespace"> {
  /** Namespaces to watch; omitted or empty means all (or a cluster-scoped kind). */
  namespaces?: readonly string[] | undefined;
  store?: Store<T> | undefined;
  storeOptions?: StoreOptions | undefined;
}

export class Informer<T extends KubeObject> {
  readonly store: Store<T>;
  readonly reflectors: readonly Reflector<T>[];
  /** Resolves once every reflector has stored its first complete list. */
  readonly synced: Promise<void>;

  constructor(options: InformerOptions<T>) {
    const { namespaces, store, storeOptions, ...reflectorOptions } = options;
    this.store = store ?? new Store<T>(storeOptions);
    const scopes =
      namespaces === undefined || namespaces.length === 0 || !options.resource.namespaced
        ? [undefined]
        : [...new Set(namespaces)];
    this.reflectors = scopes.map(
      (namespace) => new Reflector<T>({ ...reflectorOptions, store: this.store, namespace }),
    );
    this.synced = Promise.all(this.reflectors.map((r) => r.synced)).then(() => {});
  }

  get hasSynced(): boolean {
    return this.reflectors.every((r) => r.hasSynced);
  }

  start(): void {
    for (const reflector of this.reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }
}
