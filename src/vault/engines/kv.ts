// KV secrets engine, versions 1 and 2. `raw` is the response's whole `data` object, which is what
// VSO writes to the `_raw` destination key: for kv-v1 the secret itself, for kv-v2 the pair
// `{data, metadata}`.

import { parseJsonKeepingNumbers } from "../../sync/go-json.ts";
import type { VaultSender } from "../client.ts";
import { VaultError } from "../errors.ts";
import { requireData, type VaultSecretResponse } from "../responses.ts";

export interface KvLocation {
  /** Mount path, e.g. `kvv2`. */
  mount: string;
  /** Secret path inside the mount, e.g. `app/config`. */
  path: string;
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface KvV1Secret {
  data: Record<string, unknown>;
  raw: Record<string, unknown>;
  /** kv-v1 answers with the mount's (or the secret's `ttl`) lease duration: a refresh hint. */
  leaseDurationSeconds: number;
}

export interface KvV2VersionMetadata {
  version: number;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
  custom_metadata: Record<string, string> | null;
  [field: string]: unknown;
}

export interface KvV2Secret {
  data: Record<string, unknown>;
  metadata: KvV2VersionMetadata;
  raw: Record<string, unknown>;
}

export interface KvV2Metadata {
  current_version: number;
  oldest_version: number;
  max_versions: number;
  cas_required: boolean;
  created_time: string;
  updated_time: string;
  delete_version_after: string;
  custom_metadata: Record<string, string> | null;
  versions: Record<string, { created_time: string; deletion_time: string; destroyed: boolean }>;
  [field: string]: unknown;
}

export function kvPath(mount: string, ...parts: string[]): string {
  return [mount, ...parts]
    .map((p) => p.replace(/^\/+|\/+$/g, ""))
    .filter((p) => p !== "")
    .join("/");
}

async function get<T>(
  sender: VaultSender,
  path: string,
  where: KvLocation,
  query?: Record<string, string | number | undefined>,
  secretData = false,
): Promise<VaultSecretResponse<T>> {
  const res = await sender.send<VaultSecretResponse<T> | undefined>({
    method: "GET",
    path,
    query,
    namespace: where.namespace,
    signal: where.signal,
    // Secret data ends up in `_raw` and the HMAC: keep Vault's number literals as Go would.
    ...(secretData ? { parseBody: parseJsonKeepingNumbers } : {}),
  });
  return res.body ?? {};
}

/** `GET <mount>/<path>`. */
export async function readKvV1(sender: VaultSender, where: KvLocation): Promise<KvV1Secret> {
  const path = kvPath(where.mount, where.path);
  const res = await get<Record<string, unknown>>(sender, path, where, undefined, true);
  const data = requireData(res, `GET ${path}`);
  return { data, raw: data, leaseDurationSeconds: Number(res.lease_duration ?? 0) };
}

/** `GET <mount>/data/<path>[?version=N]`. A deleted or destroyed version is NotFound. */
export async function readKvV2(
  sender: VaultSender,
  where: KvLocation & { version?: number | undefined },
): Promise<KvV2Secret> {
  const path = kvPath(where.mount, "data", where.path);
  const version = where.version === undefined || where.version === 0 ? undefined : where.version;
  const res = await get<{ data?: Record<string, unknown> | null; metadata?: KvV2VersionMetadata }>(
    sender,
    path,
    where,
    {
      version,
    },
    true,
  );
  const raw = requireData(res, `GET ${path}`);
  if (raw.data === undefined || raw.data === null || raw.metadata === undefined) {
    throw new VaultError({
      reason: "NotFound",
      method: "GET",
      path,
      message: `GET ${path}: the version is deleted or destroyed`,
    });
  }
  // Metadata is read as plain numbers; data and raw keep the literals.
  const metadata = JSON.parse(JSON.stringify(raw.metadata)) as KvV2VersionMetadata;
  return { data: raw.data, metadata, raw: raw as Record<string, unknown> };
}

/** `GET <mount>/metadata/<path>`: versions and custom metadata, no secret data. */
export async function readKvV2Metadata(sender: VaultSender, where: KvLocation): Promise<KvV2Metadata> {
  const path = kvPath(where.mount, "metadata", where.path);
  return requireData(await get<KvV2Metadata>(sender, path, where), `GET ${path}`);
}

export interface KvV2DetailedListing {
  /** Child names; folders end in `/`. */
  keys: string[];
  /** Metadata per key (folders included, with fewer fields). */
  keyInfo: Record<string, Partial<KvV2Metadata>>;
}

/**
 * `LIST <mount>/detailed-metadata/<path>` (OpenBao ≥ 2.2): the children of a folder with their
 * metadata in one call, so a subtree can be synced without a metadata read per secret. An empty
 * or missing folder is an empty listing.
 */
export async function listKvV2DetailedMetadata(
  sender: VaultSender,
  where: KvLocation,
): Promise<KvV2DetailedListing> {
  const path = kvPath(where.mount, "detailed-metadata", where.path);
  try {
    const res = await sender.send<
      VaultSecretResponse<{ keys?: string[]; key_info?: Record<string, Partial<KvV2Metadata>> }> | undefined
    >({ method: "LIST", path, namespace: where.namespace, signal: where.signal });
    return { keys: res.body?.data?.keys ?? [], keyInfo: res.body?.data?.key_info ?? {} };
  } catch (error) {
    if (error instanceof VaultError && error.reason === "NotFound") return { keys: [], keyInfo: {} };
    throw error;
  }
}

export interface KvSecret {
  data: Record<string, unknown>;
  /** kv-v2 only. */
  metadata: KvV2VersionMetadata | undefined;
  raw: Record<string, unknown>;
}

/** VaultStaticSecret's `type` field chooses the engine version. */
export async function readKvSecret(
  sender: VaultSender,
  where: KvLocation & { type: "kv-v1" | "kv-v2"; version?: number | undefined },
): Promise<KvSecret> {
  if (where.type === "kv-v1") {
    const { data, raw } = await readKvV1(sender, where);
    return { data, metadata: undefined, raw };
  }
  return readKvV2(sender, where);
}
