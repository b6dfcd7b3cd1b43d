// Finalizers as VSO names them. Added once (the only write a steady object ever gets from this
// file) and removed with a JSON-patch `test`, so a concurrent change by someone else is not lost.
import type { KubeClient } from "../kube/client.ts";
import { isInvalid, isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/object.ts";
import { getObject, jsonPatch } from "../kube/patch.ts";
import type { ResourceType } from "../kube/resource.ts";

function refOf(object: KubeObject) {
  return { namespace: object.metadata?.namespace, name: object.metadata?.name ?? "" };
}

export async function ensureFinalizer(
  client: KubeClient,
  resource: ResourceType,
  object: KubeObject,
  finalizer: string,
): Promise<void> {
  const finalizers = object.metadata?.finalizers;
  if (finalizers?.includes(finalizer)) return;
  try {
    await addFinalizer(client, resource, object, finalizer, finalizers);
  } catch (error) {
    // The list changed since our (possibly stale) copy: look at the real object before failing.
    if (!isInvalid(error)) throw error;
    const current = await getObject(client, resource, refOf(object));
    if (current === undefined || current.metadata?.finalizers?.includes(finalizer)) return;
    await addFinalizer(client, resource, current, finalizer, current.metadata?.finalizers);
  }
}

/** Guarded by the list we saw, not the resourceVersion: our own status writes move the version. */
async function addFinalizer(
  client: KubeClient,
  resource: ResourceType,
  object: KubeObject,
  finalizer: string,
  finalizers: string[] | undefined,
): Promise<void> {
  await jsonPatch(
    client,
    resource,
    refOf(object),
    finalizers === undefined
      ? [
          { op: "test", path: "/metadata/finalizers", value: null },
          { op: "add", path: "/metadata/finalizers", value: [finalizer] },
        ]
      : [
          { op: "test", path: "/metadata/finalizers", value: finalizers },
          { op: "add", path: "/metadata/finalizers/-", value: finalizer },
        ],
  );
}

export async function removeFinalizer(
  client: KubeClient,
  resource: ResourceType,
  object: KubeObject,
  finalizer: string,
): Promise<void> {
  const finalizers = object.metadata?.finalizers ?? [];
  const index = finalizers.indexOf(finalizer);
  if (index < 0) return;
  try {
    await jsonPatch(client, resource, refOf(object), [
      { op: "test", path: `/metadata/finalizers/${index}`, value: finalizer },
      { op: "remove", path: `/metadata/finalizers/${index}` },
    ]);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
