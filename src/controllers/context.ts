// Everything a reconcile needs, built once by the operator and handed to every controller.
import type { Logger } from "pino";
import type { KubeClient } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import type { KubeObject } from "../kube/object.ts";
import type { ResourceType } from "../kube/resource.ts";
import type { Store } from "../kube/store.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Action } from "../runtime/action.ts";
import type { DestinationWriter, SecretObject } from "../sync/destination.ts";
import type { VaultClientCache } from "../vault/index.ts";
import type { VaultClients } from "./vault-clients.ts";
import type { ConnectionPool } from "./vault-connection/pool.ts";

export interface RawResource extends KubeObject {
  spec?: unknown;
  status?: Record<string, unknown>;
}

/**
 * A kind of secret resource (VaultStaticSecret, VaultPKISecret, VaultDynamicSecret): what it
 * watches and how it reconciles. The operator gives each its informer, its controller, the
 * reference indexes (auth, transformation, owner uid) and drift repair of its destinations.
 */
export interface SecretKind {
  /** Controller name, lower-case kind: "vaultstaticsecret". */
  name: string;
  resource: ResourceType;
  reconcile(ctx: OperatorContext, key: string, signal: AbortSignal): Promise<Action>;
}

export interface Stores {
  vaultConnections: Store<RawResource>;
  vaultAuths: Store<RawResource>;
  vaultAuthGlobals: Store<RawResource>;
  secretTransformations: Store<RawResource>;
  /** One store per secret kind, by SecretKind.name. */
  secrets: ReadonlyMap<string, Store<RawResource>>;
  managedSecrets: Store<SecretObject>;
}

export interface OperatorSettings {
  operatorNamespace: string;
  globalExcludeRaw: boolean;
}

export interface OperatorContext {
  kube: KubeClient;
  log: Logger;
  events: EventRecorder;
  metrics: Metrics;
  settings: OperatorSettings;
  stores: Stores;
  clients: VaultClients;
  pool: ConnectionPool;
  cache: VaultClientCache;
  writer: DestinationWriter;
  hmacKey: Buffer;
  /**
   * The MAC of what we last wrote into each destination, by owner UID: the watch event our own
   * write causes is recognised and costs no reconcile (and no Vault read).
   */
  lastWritten: Map<string, string>;
  /**
   * The KV v2 version state each VaultStaticSecret last synced from (see change-detector.ts), by
   * key; absent when it never synced or its last sync failed.
   */
  kvSynced: Map<string, string>;
  /** Routes a key to the named controller (vaultconnection, vaultauth, secrettransformation, a SecretKind). */
  enqueue(controller: string, key: string): void;
}

export function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The store of one secret kind. */
export function secretStore(ctx: OperatorContext, kind: string): Store<RawResource> {
  const store = ctx.stores.secrets.get(kind);
  if (store === undefined) throw new Error(`no store for ${kind}`);
  return store;
}

/** Enqueues every secret resource, of any kind, found under `value` in index `index`. */
export function enqueueSecretsByIndex(ctx: OperatorContext, index: string, value: string): number {
  let n = 0;
  for (const [kind, store] of ctx.stores.secrets) {
    for (const object of store.byIndex(index, value)) {
      ctx.enqueue(kind, keyOf(object));
      n++;
    }
  }
  return n;
}
