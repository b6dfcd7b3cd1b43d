// Reads every object `keyport status` reports, with the caller's kubeconfig as kubectl would:
// one list per kind, across all namespaces or in one. Only get/list on Keyport's own kinds is
// needed — no Secrets are read.

import {
  secretTransformations,
  vaultAuths,
  vaultConnections,
  vaultDynamicSecrets,
  vaultPkiSecrets,
  vaultStaticSecrets,
} from "../../controllers/resources.ts";
import { KubeClient as Client, type KubeClient, loadKubeConfig } from "../../kube/client.ts";
import { KubeApiError } from "../../kube/errors.ts";
import { resourcePath } from "../../kube/resource.ts";
import type { RawObject, StatusKind } from "./rows.ts";

const collections = {
  VaultConnection: vaultConnections,
  VaultAuth: vaultAuths,
  SecretTransformation: secretTransformations,
  VaultStaticSecret: vaultStaticSecrets,
  VaultPKISecret: vaultPkiSecrets,
  VaultDynamicSecret: vaultDynamicSecrets,
} as const;

export interface FetchOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** undefined: all namespaces. */
  namespace?: string | undefined;
  kinds: readonly StatusKind[];
}

export interface Fetched {
  objects: Array<{ kind: StatusKind; items: RawObject[] }>;
  /** Kinds that could not be listed and why (a CRD not installed is not an error). */
  warnings: string[];
}

export function statusClient(options: Pick<FetchOptions, "kubeconfig" | "context">): KubeClient {
  const kubeConfig = loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context });
  return new Client({ kubeConfig, userAgent: "keyport-status", timeoutMs: 30_000 });
}

/** Lists each kind; pages through large collections with `continue`. */
export async function fetchObjects(client: KubeClient, options: FetchOptions): Promise<Fetched> {
  const missing: StatusKind[] = [];
  const objects = await Promise.all(
    options.kinds.map(async (kind) => {
      const items: RawObject[] = [];
      let next: string | undefined;
      try {
        do {
          const page = await client.get<{ items?: RawObject[]; metadata?: { continue?: string } }>(
            resourcePath(collections[kind], { namespace: options.namespace }),
            { query: { limit: 500, ...(next ? { continue: next } : {}) } },
          );
          items.push(...(page?.items ?? []));
          next = page?.metadata?.continue || undefined;
        } while (next !== undefined);
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) {
          missing.push(kind);
          return { kind, items: [] };
        }
        throw error;
      }
      return { kind, items };
    }),
  );
  const warnings =
    missing.length === 0
      ? []
      : missing.length === options.kinds.length
        ? ["the secrets.hashicorp.com CRDs are not installed in this cluster"]
        : options.kinds
            .filter((k) => missing.includes(k))
            .map((k) => `${k}: not served by this cluster (its CRD is not installed)`);
  return { objects, warnings };
}
