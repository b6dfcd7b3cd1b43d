// Writes. Prefer server-side apply: it is idempotent, needs no read first, and with one field
// manager per controller it owns exactly the fields it sets — unknown fields, other managers'
// labels and annotations survive. Merge and JSON patches are for small targeted edits
// (JSON patch's `test` op guards finalizer removal); update() is for the rare
// read-modify-write that must fail on a concurrent change. All bodies are raw JSON: never
// read-modify-replace a client-node model object, which would drop fields it does not know.
import type { KubeClient, Query } from "./client.ts";
import { isConflict, isNotFound } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import { type ResourceType, resourcePath } from "./resource.ts";

export const contentTypes = {
  apply: "application/apply-patch+yaml",
  mergePatch: "application/merge-patch+json",
  jsonPatch: "application/json-patch+json",
  strategicMergePatch: "application/strategic-merge-patch+json",
} as const;

export interface ObjectRef {
  namespace?: string | undefined;
  name: string;
}

export interface WriteOptions {
  /** Recorded in managedFields; required for apply. */
  fieldManager?: string | undefined;
  /** Validate and admit, but persist nothing. */
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Overrides the client's per-request timeout. */
  timeoutMs?: number | undefined;
}

export interface ApplyOptions extends WriteOptions {
  fieldManager: string;
  /**
   * Take ownership of fields another manager set (default true, as controllers do: the
   * controller is the authority for what it applies).
   */
  force?: boolean | undefined;
  subresource?: string | undefined;
}

export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

function writeQuery(options: WriteOptions & { force?: boolean | undefined }): Query {
  return {
    fieldManager: options.fieldManager,
    dryRun: options.dryRun ? "All" : undefined,
    force: options.force,
  };
}

function refOf(object: KubeObject): ObjectRef {
  const name = object.metadata?.name;
  if (name === undefined || name === "") throw new TypeError("object has no metadata.name");
  return { namespace: object.metadata?.namespace, name };
}

function pathFor(resource: ResourceType, ref: ObjectRef, subresource?: string): string {
  if (resource.namespaced && (ref.namespace === undefined || ref.namespace === "")) {
    throw new TypeError(`${resource.kind} ${ref.name} needs a namespace`);
  }
  return resourcePath(resource, { namespace: ref.namespace, name: ref.name, subresource });
}

/** Reads one object; undefined if it does not exist. */
export async function getObject<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {},
): Promise<T | undefined> {
  try {
    return await client.get<T>(pathFor(resource, ref), options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Server-side apply: `object` states every field this manager owns (apiVersion, kind,
 * metadata.name and, if namespaced, metadata.namespace included); fields it owned before and no
 * longer states are removed. Creates the object if it does not exist.
 */
export function apply<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  options: ApplyOptions,
): Promise<T> {
  const body = {
    ...object,
    apiVersion: object.apiVersion ?? resource.apiVersion,
    kind: object.kind ?? resource.kind,
  };
  return client.patch<T>(pathFor(resource, refOf(object), options.subresource), body, contentTypes.apply, {
    query: writeQuery({ ...options, force: options.force ?? true }),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
}

/** Server-side apply to the status subresource: `object` carries metadata and `status` only. */
export function applyStatus<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  options: Omit<ApplyOptions, "subresource">,
): Promise<T> {
  return apply<T>(client, resource, object, { ...options, subresource: "status" });
}

/** JSON merge patch (RFC 7386): maps merge, lists are replaced whole, null deletes a key. */
export function mergePatch<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  patch: unknown,
  options: WriteOptions & { subresource?: string | undefined } = {},
): Promise<T> {
  return client.patch<T>(pathFor(resource, ref, options.subresource), patch, contentTypes.mergePatch, {
    query: writeQuery(options),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
}

/** Merge-patches the status subresource, e.g. `{ status: { conditions: [...] } }`. */
export function patchStatus<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  patch: { status: unknown },
  options: WriteOptions = {},
): Promise<T> {
  return mergePatch<T>(client, resource, ref, patch, { ...options, subresource: "status" });
}

/**
 * JSON patch (RFC 6902). A failing `test` op rejects the whole patch (422 Invalid), which is how
 * a finalizer is removed without clobbering one another controller just added.
 */
export function jsonPatch<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  operations: readonly JsonPatchOperation[],
  options: WriteOptions & { subresource?: string | undefined } = {},
): Promise<T> {
  return client.patch<T>(pathFor(resource, ref, options.subresource), operations, contentTypes.jsonPatch, {
    query: writeQuery(options),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
}

/** Creates an object; fails with AlreadyExists (409) if the name is taken. */
export function create<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  options: WriteOptions = {},
): Promise<T> {
  const namespace = object.metadata?.namespace;
  if (resource.namespaced && (namespace === undefined || namespace === "")) {
    throw new TypeError(`${resource.kind} needs a namespace`);
  }
  const body = {
    ...object,
    apiVersion: object.apiVersion ?? resource.apiVersion,
    kind: object.kind ?? resource.kind,
  };
  return client.post<T>(resourcePath(resource, { namespace }), body, {
    query: writeQuery(options),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
}

/**
 * Replaces an object (PUT). With metadata.resourceVersion set this is an optimistic-concurrency
 * write: it fails with Conflict (409) if the object changed since that version was read.
 */
export function update<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  object: T,
  options: WriteOptions & { subresource?: string | undefined } = {},
): Promise<T> {
  if (object.metadata?.resourceVersion === undefined) {
    throw new TypeError("update needs metadata.resourceVersion (use apply for unconditional writes)");
  }
  return client.put<T>(pathFor(resource, refOf(object), options.subresource), object, {
    query: writeQuery(options),
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
}

/**
 * Read-modify-write with retries on Conflict (client-go's RetryOnConflict): reads the live
 * object, lets `mutate` edit a private copy, and writes it back conditioned on the version read.
 * `mutate` returning undefined means "nothing to change" and skips the write. Throws NotFound if
 * the object does not exist.
 */
export async function updateWithRetry<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  mutate: (current: T) => T | undefined | Promise<T | undefined>,
  options: WriteOptions & { attempts?: number | undefined } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const current = await client.get<T>(pathFor(resource, ref), {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    const desired = await mutate(structuredClone(current));
    if (desired === undefined) return current;
    try {
      return await update<T>(
        client,
        resource,
        { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion } },
        options,
      );
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
    }
  }
}

export interface DeleteOptions {
  /** Delete only if the live object still has this uid / resourceVersion (else Conflict). */
  preconditions?: { uid?: string | undefined; resourceVersion?: string | undefined } | undefined;
  propagationPolicy?: "Foreground" | "Background" | "Orphan" | undefined;
  gracePeriodSeconds?: number | undefined;
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Deletes an object. Resolves to false if it was already gone; a failed precondition (someone
 * recreated or changed it) rejects with Conflict.
 */
export async function deleteObject(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  options: DeleteOptions = {},
): Promise<boolean> {
  const body = {
    apiVersion: "v1",
    kind: "DeleteOptions",
    ...(options.preconditions === undefined ? {} : { preconditions: options.preconditions }),
    ...(options.propagationPolicy === undefined ? {} : { propagationPolicy: options.propagationPolicy }),
    ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
    ...(options.dryRun ? { dryRun: ["All"] } : {}),
  };
  try {
    await client.delete(pathFor(resource, ref), {
      body,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
