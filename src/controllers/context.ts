// Everything a reconcile needs, built once by the operator and handed to every controller.
import type { Logger } from "pino";
import type { KubeClient } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import type { KubeObject } from "../kube/object.ts";
import type { Store } from "../kube/store.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { DestinationWriter, SecretObject } from "../sync/destination.ts";
import type { VaultClientCache } from "../vault/index.ts";
import type { VaultClients } from "./vault-clients.ts";
import type { ConnectionPool } from "./vault-connection/pool.ts";

export interface RawResource extends KubeObject {
  spec?: unknown;
  status?: Record<string, unknown>;
}

export interface Stores {
  vaultConnections: Store<RawResource>;
  vaultAuths: Store<RawResource>;
  vaultAuthGlobals: Store<RawResource>;
  vaultStaticSecrets: Store<RawResource>;
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
  enqueue: {
    vaultConnection(key: string): void;
    vaultAuth(key: string): void;
    vaultStaticSecret(key: string): void;
  };
}

export function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
