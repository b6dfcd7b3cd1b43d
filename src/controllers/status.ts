// Status is written only when it differs from what the object already says: a steady state costs
// no API writes. Comparison is structural on the JSON the API server would store.
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/object.ts";
import { patchStatus } from "../kube/patch.ts";
import type { ResourceType } from "../kube/resource.ts";

export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

/**
 * The status we last wrote, per object UID, until the watch delivers it: a reconcile that runs
 * right after our own write (another trigger arrived meanwhile) must not act on the older copy in
 * the store — for a certificate that would mean issuing a second one.
 */
const written = new Map<string, { resourceVersion: string; status: Record<string, unknown> }>();

/** etcd resource versions are integers; an opaque one is treated as "not newer". */
function atLeast(a: string | undefined, b: string): boolean {
  if (a === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return a === b;
  return BigInt(a) >= BigInt(b);
}

/** The object's status, or the one we wrote when the store has not caught up with it yet. */
export function freshStatus(object: KubeObject & { status?: object | undefined }): Record<string, unknown> {
  const stored = (object.status ?? {}) as Record<string, unknown>;
  const uid = object.metadata?.uid;
  const mine = uid === undefined ? undefined : written.get(uid);
  if (mine === undefined) return stored;
  if (atLeast(object.metadata?.resourceVersion, mine.resourceVersion)) {
    written.delete(uid as string);
    return stored;
  }
  return { ...stored, ...mine.status };
}

/**
 * Patches `status` fields that changed; fields set to undefined in `next` are removed.
 * Returns whether a write happened.
 */
export async function writeStatusIfChanged(
  client: KubeClient,
  resource: ResourceType,
  object: KubeObject & { status?: object | undefined },
  next: Record<string, unknown>,
): Promise<boolean> {
  const current = freshStatus(object);
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (!sameJson(current[key], value)) patch[key] = value === undefined ? null : value;
  }
  if (Object.keys(patch).length === 0) return false;
  const updated = await patchStatus<KubeObject & { status?: Record<string, unknown> }>(
    client,
    resource,
    { namespace: object.metadata?.namespace, name: object.metadata?.name ?? "" },
    { status: patch },
  );
  const uid = object.metadata?.uid;
  const resourceVersion = updated?.metadata?.resourceVersion;
  if (uid !== undefined && resourceVersion !== undefined) {
    written.set(uid, { resourceVersion, status: updated.status ?? {} });
  }
  return true;
}

/** Forget an object (deleted): its entry would otherwise stay until the next write. */
export function forgetStatus(uid: string | undefined): void {
  if (uid !== undefined) written.delete(uid);
}
