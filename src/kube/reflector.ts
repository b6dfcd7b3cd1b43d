// Keeps a Store equal to one collection on the API server (kube-rs's watcher, client-go's
// reflector), and never gives up:
//
//   list ──(pages: limit/continue)──▶ replace the store ──▶ watch from the list's resourceVersion
//     ▲                                                        │ ADDED/MODIFIED/DELETED → store
//     │                                                        │ BOOKMARK → remember the version
//     └──────── 410 Gone (HTTP or ERROR event) ────────────────┤ server timeout → watch again
//                                                              └ any other error → back off
//                                                                (800 ms doubling to 30 s), then
//                                                                watch again from the last version
//
// A relist replaces the store in one step once every page has arrived, so readers never see a
// half-listed cache, and objects that vanished while we were not watching get delete events.
import { type Clock, sleep, systemClock } from "../runtime/clock.ts";
import { KeyedBackoff } from "../runtime/rate-limiter.ts";
import type { KubeClient } from "./client.ts";
import { isGone, KubeApiError } from "./errors.ts";
import type { KubeList, KubeObject } from "./object.ts";
import { type ResourceType, resourcePath } from "./resource.ts";
import type { Store } from "./store.ts";

export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  resource: ResourceType;
  store: Store<T>;
  /** One namespace; omitted for cluster-scoped kinds or all namespaces. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Objects per list page (default 500, as client-go). */
  pageSize?: number | undefined;
  /**
   * The server ends each watch after this long (default 290 s) and we open the next one from the
   * last resourceVersion; bookmarks keep that version fresh on quiet collections.
   */
  timeoutSeconds?: number | undefined;
  /** Applied to every object before it is stored; the default drops metadata.managedFields. */
  transform?: ((object: T) => T) | undefined;
  /** Retry delays after failures (default 800 ms doubling to 30 s, ±20 %). */
  backoff?: { initialMs?: number; maxMs?: number } | undefined;
  clock?: Clock | undefined;
  /** Every failure, with how long until the next attempt. The reflector itself never stops. */
  onError?: ((error: unknown, retryInMs: number) => void) | undefined;
}

/** The default transform: managedFields are often the bulk of an object and we never read them. */
export function dropManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata?.managedFields === undefined) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}

export class Reflector<T extends KubeObject> {
  readonly #client: KubeClient;
  readonly #resource: ResourceType;
  readonly #store: Store<T>;
  readonly #namespace: string | undefined;
  readonly #path: string;
  readonly #selectors: { labelSelector?: string; fieldSelector?: string };
  readonly #pageSize: number;
  readonly #timeoutSeconds: number;
  readonly #transform: (object: T) => T;
  readonly #backoff: KeyedBackoff;
  readonly #clock: Clock;
  readonly #onError: (error: unknown, retryInMs: number) => void;
  readonly #abort = new AbortController();
  #resourceVersion: string | undefined;
  #running: Promise<void> | undefined;
  #synced = false;
  #markSynced: () => void = () => {};
  #lists = 0;
  /** Set after a 410 sends us to relist at full speed; cleared once a watch delivers again. */
  #relistedAfterGone = false;
  /**
   * Resolves after the first complete list has been stored. It never resolves while listing
   * keeps failing (a missing CRD, missing RBAC) — race it with a deadline to report that.
   */
  readonly synced: Promise<void>;

  constructor(options: ReflectorOptions<T>) {
    this.#client = options.client;
    this.#resource = options.resource;
    this.#store = options.store;
    this.#namespace = options.resource.namespaced ? options.namespace : undefined;
    this.#path = resourcePath(options.resource, { namespace: this.#namespace });
    this.#selectors = {
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
    };
    this.#pageSize = options.pageSize ?? 500;
    this.#timeoutSeconds = options.timeoutSeconds ?? 290;
    this.#transform = options.transform ?? dropManagedFields;
    this.#backoff = new KeyedBackoff({
      initialMs: options.backoff?.initialMs ?? 800,
      maxMs: options.backoff?.maxMs ?? 30_000,
      multiplier: 2,
      randomizationFactor: 0.2,
    });
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => {});
    this.synced = new Promise((resolve) => {
      this.#markSynced = resolve;
    });
  }

  start(): void {
    if (this.#abort.signal.aborted) throw new Error("reflector was stopped; create a new one");
    this.#running ??= this.#run();
  }

  /** Closes the watch and ends the loop. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  get hasSynced(): boolean {
    return this.#synced;
  }

  /** The version the next watch starts from; undefined when a (re)list is due. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** Complete lists so far: 1 after the initial sync, more after each relist. */
  get lists(): number {
    return this.#lists;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === undefined) await this.#list(signal);
        await this.#watch(signal);
      } catch (error) {
        if (signal.aborted) return;
        if (isGone(error)) {
          // Our version fell out of etcd's history: only a fresh list can resume. Once at full
          // speed; if that list fails too, the normal backoff applies.
          this.#resourceVersion = undefined;
          if (!this.#relistedAfterGone) {
            this.#relistedAfterGone = true;
            continue;
          }
        }
        const delay = this.#backoff.next("retry");
        try {
          this.#onError(error, delay);
        } catch {
          // A broken hook must not end the reflector.
        }
        try {
          await sleep(this.#clock, delay, signal);
        } catch {
          return;
        }
      }
    }
  }

  async #list(signal: AbortSignal): Promise<void> {
    const objects: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.#client.get<KubeList<T>>(this.#path, {
        query: { ...this.#selectors, limit: this.#pageSize, continue: continueToken },
        signal,
      });
      for (const item of page.items ?? []) objects.push(this.#prepare(item));
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion;
    } while (continueToken !== undefined);
    if (resourceVersion === undefined || resourceVersion === "") {
      throw new KubeApiError({
        status: 0,
        reason: "InvalidResponse",
        message: "list response has no resourceVersion",
        method: "GET",
        path: this.#path,
      });
    }
    this.#store.replace(objects, { namespace: this.#namespace });
    this.#resourceVersion = resourceVersion;
    this.#lists += 1;
    this.#backoff.forget("retry");
    if (!this.#synced) {
      this.#synced = true;
      this.#markSynced();
    }
  }

  /** Returns when the server ends the watch normally; throws on failure. */
  async #watch(signal: AbortSignal): Promise<void> {
    const started = this.#clock.now();
    let received = 0;
    const events = this.#client.watch<T>(this.#path, {
      query: {
        ...this.#selectors,
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#timeoutSeconds,
      },
      signal,
      // Bookmarks arrive about once a minute, and the server closes at timeoutSeconds.
      idleTimeoutMs: (this.#timeoutSeconds + 60) * 1000,
    });
    for await (const event of events) {
      switch (event.type) {
        case "ADDED":
        case "MODIFIED":
          this.#store.apply(this.#prepare(event.object));
          break;
        case "DELETED":
          this.#store.delete(this.#prepare(event.object));
          break;
        case "BOOKMARK":
          break;
        case "ERROR":
          throw KubeApiError.fromStatus(event.object, 200, "WATCH", this.#path);
        default:
          continue;
      }
      const version = event.object.metadata?.resourceVersion;
      if (version !== undefined && version !== "") this.#resourceVersion = version;
      received += 1;
      this.#backoff.forget("retry");
      this.#relistedAfterGone = false;
    }
    // A stream that ends at once with nothing in it (a proxy dropping watches, say) must not
    // turn into a tight reconnect loop.
    if (received === 0 && this.#clock.now() - started < 1_000) {
      throw new KubeApiError({
        status: 0,
        reason: "WatchClosed",
        message: "the watch ended as soon as it opened",
        method: "WATCH",
        path: this.#path,
      });
    }
  }

  /** List items come without apiVersion and kind; watched objects have them. Make them alike. */
  #prepare(object: T): T {
    const complete =
      object.apiVersion === undefined || object.kind === undefined
        ? {
            ...object,
            apiVersion: object.apiVersion ?? this.#resource.apiVersion,
            kind: object.kind ?? this.#resource.kind,
          }
        : object;
    return this.#transform(complete);
  }
}
