// One VaultHttp per VaultConnection, shared by every Vault client that goes through it. A spec
// change (new generation) builds a new transport; new TLS material with the same spec swaps the
// transport's TLS in place, so cached tokens and clients carry on.
import type { VaultConnectionSpec } from "../../api/index.ts";
import type { KubeClient } from "../../kube/client.ts";
import { VaultHttp, type VaultHttpObserver } from "../../vault/index.ts";
import { parseDuration } from "../timing.ts";
import { readTlsMaterial } from "./tls-material.ts";

export interface ConnectionObject {
  metadata: { namespace: string; name: string; uid: string; generation?: number | undefined };
  spec: VaultConnectionSpec;
}

interface Entry {
  generation: number;
  fingerprint: string;
  http: VaultHttp;
}

export class ConnectionPool {
  readonly #client: KubeClient;
  readonly #entries = new Map<string, Entry>();
  readonly #building = new Map<string, Promise<Entry>>();
  readonly #observer: ((connection: string) => VaultHttpObserver) | undefined;
  readonly #userAgent: string;

  constructor(
    client: KubeClient,
    options: { userAgent: string; observer?: (connection: string) => VaultHttpObserver },
  ) {
    this.#client = client;
    this.#userAgent = options.userAgent;
    this.#observer = options.observer;
  }

  /** The transport for this connection, built on first use (reading its TLS material once). */
  async get(connection: ConnectionObject): Promise<VaultHttp> {
    const entry = this.#entries.get(connection.metadata.uid);
    if (entry !== undefined && entry.generation === (connection.metadata.generation ?? 0)) return entry.http;
    return (await this.refresh(connection)).http;
  }

  /** Re-reads the TLS material; rebuilds on a spec change, swaps TLS on new material. */
  refresh(connection: ConnectionObject): Promise<{ http: VaultHttp; changed: boolean }> {
    const uid = connection.metadata.uid;
    const pending = this.#building.get(uid);
    const work = (pending ?? Promise.resolve(undefined)).then(async () => {
      const generation = connection.metadata.generation ?? 0;
      const material = await readTlsMaterial(this.#client, connection.metadata.namespace, connection.spec);
      const existing = this.#entries.get(uid);
      if (existing !== undefined && existing.generation === generation) {
        if (existing.fingerprint === material.fingerprint) return { entry: existing, changed: false };
        await existing.http.updateTls(material.tls);
        existing.fingerprint = material.fingerprint;
        return { entry: existing, changed: true };
      }
      const key = `${connection.metadata.namespace}/${connection.metadata.name}`;
      const http = new VaultHttp({
        address: connection.spec.address,
        tls: material.tls,
        headers: connection.spec.headers ?? {},
        userAgent: this.#userAgent,
        ...(connection.spec.timeout ? { timeoutMs: parseDuration(connection.spec.timeout) } : {}),
        ...(this.#observer === undefined ? {} : { observer: this.#observer(key) }),
      });
      const entry: Entry = { generation, fingerprint: material.fingerprint, http };
      this.#entries.set(uid, entry);
      if (existing !== undefined) this.#retire(existing.http);
      return { entry, changed: true };
    });
    const entryOnly = work.then((r) => r.entry);
    this.#building.set(uid, entryOnly);
    void entryOnly
      .finally(() => {
        if (this.#building.get(uid) === entryOnly) this.#building.delete(uid);
      })
      .catch(() => {});
    return work.then((r) => ({ http: r.entry.http, changed: r.changed }));
  }

  forget(uid: string): void {
    const entry = this.#entries.get(uid);
    this.#entries.delete(uid);
    if (entry !== undefined) this.#retire(entry.http);
  }

  /** Requests already sent on a replaced transport are allowed to finish. */
  #retire(http: VaultHttp): void {
    setTimeout(() => void http.close(), 30_000).unref();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#entries.values()].map((e) => e.http.close()));
    this.#entries.clear();
  }
}
