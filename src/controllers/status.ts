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
 * Patches `status` fields that changed; fields set to undefined in `next` are removed.
 * Returns whether a write happened.
 */
export async function writeStatusIfChanged(
  client: KubeClient,
  resource: ResourceType,
  object: KubeObject & { status?: object | undefined },
  next: Record<string, unknown>,
): Promise<boolean> {
  const current = (object.status ?? {}) as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (!sameJson(current[key], value)) patch[key] = value === undefined ? null : value;
  }
  if (Object.keys(patch).length === 0) return false;
  await patchStatus(
    client,
    resource,
    { namespace: object.metadata?.namespace, name: object.metadata?.name ?? "" },
    { status: patch },
  );
  return true;
}
