// The bench's own eyes on the API: list, then watch from the list's resourceVersion, and hand
// every event to listeners with the moment it arrived. Deliberately independent of the operator's
// reflector, so a bug there cannot make a measurement look better.
import type { KubeClient } from "../../src/kube/client.ts";
import type { KubeList, KubeObject } from "../../src/kube/object.ts";

export interface Seen<T> {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: T;
  /** performance.now() when the event arrived. */
  at: number;
}

export type Listener<T> = (event: Seen<T>) => void;

export class ObjectWatch<T extends KubeObject> {
  readonly #kube: KubeClient;
  readonly #path: string;
  readonly #labelSelector: string | undefined;
  readonly #listeners = new Set<Listener<T>>();
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  /** Latest version of every object, by name. */
  readonly objects = new Map<string, T>();

  constructor(kube: KubeClient, path: string, labelSelector?: string) {
    this.#kube = kube;
    this.#path = path;
    this.#labelSelector = labelSelector;
  }

  on(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Lists (ADDED events for what exists), then keeps watching; resolves once the list is in. */
  async start(): Promise<void> {
    const rv = await this.#list();
    this.#running = this.#loop(rv);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running?.catch(() => {});
  }

  /**
   * Resolves with the first event for which `check` returns true (a closure may keep state to
   * match a sequence); rejects after `timeoutMs`.
   */
  until(check: (event: Seen<T>) => boolean, timeoutMs: number, what: string): Promise<Seen<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const off = this.on((event) => {
        if (!check(event)) return;
        clearTimeout(timer);
        off();
        resolve(event);
      });
    });
  }

  #emit(event: Seen<T>): void {
    const name = event.object.metadata?.name ?? "";
    if (event.type === "DELETED") this.objects.delete(name);
    else this.objects.set(name, event.object);
    for (const l of [...this.#listeners]) l(event);
  }

  async #list(): Promise<string> {
    let cont: string | undefined;
    let rv = "";
    do {
      const page = await this.#kube.get<KubeList<T>>(this.#path, {
        query: { limit: 500, continue: cont, labelSelector: this.#labelSelector },
        signal: this.#abort.signal,
      });
      const at = performance.now();
      for (const object of page.items) this.#emit({ type: "ADDED", object, at });
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?.continue || undefined;
    } while (cont !== undefined);
    return rv;
  }

  async #loop(startRv: string): Promise<void> {
    let rv = startRv;
    while (!this.#abort.signal.aborted) {
      try {
        for await (const event of this.#kube.watch<T>(this.#path, {
          query: {
            resourceVersion: rv,
            allowWatchBookmarks: true,
            timeoutSeconds: 240,
            labelSelector: this.#labelSelector,
          },
          signal: this.#abort.signal,
        })) {
          const at = performance.now();
          if (event.type === "BOOKMARK") {
            rv = event.object.metadata?.resourceVersion ?? rv;
            continue;
          }
          if (event.type === "ERROR") throw new Error(`watch error: ${JSON.stringify(event.object)}`);
          rv = event.object.metadata?.resourceVersion ?? rv;
          this.#emit({ type: event.type as Seen<T>["type"], object: event.object, at });
        }
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        // Expired or broken: list again (ADDED for everything; listeners judge by content).
        process.stderr.write(`[bench] watch ${this.#path} restarted: ${(error as Error).message}\n`);
        try {
          rv = await this.#list();
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }
}

export interface SecretObject extends KubeObject {
  data?: Record<string, string>;
  type?: string;
}

export function decoded(secret: SecretObject | undefined, key: string): string | undefined {
  const v = secret?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
}

/**
 * Waits until every named object has produced an event that passes `check`; returns the arrival
 * time per name. Objects already seen (the initial list) count.
 */
export function allPass<T extends KubeObject>(
  watch: ObjectWatch<T>,
  names: readonly string[],
  check: (object: T) => boolean,
  timeoutMs: number,
  what: string,
): { done: Promise<Map<string, number>>; pending(): number } {
  const pending = new Set(names);
  const at = new Map<string, number>();
  let off = () => {};
  const done = new Promise<Map<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`timed out after ${timeoutMs} ms: ${pending.size} of ${names.length} ${what} not done`),
      );
    }, timeoutMs);
    const consider = (name: string, object: T, time: number) => {
      if (!pending.has(name) || !check(object)) return;
      pending.delete(name);
      at.set(name, time);
      if (pending.size === 0) {
        clearTimeout(timer);
        off();
        resolve(at);
      }
    };
    off = watch.on((e) => {
      if (e.type !== "DELETED") consider(e.object.metadata?.name ?? "", e.object, e.at);
    });
    const now = performance.now();
    for (const [name, object] of watch.objects) consider(name, object, now);
    if (names.length === 0) {
      clearTimeout(timer);
      resolve(at);
    }
  });
  return { done, pending: () => pending.size };
}
