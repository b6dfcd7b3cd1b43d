// Writes a resource's rendered data into its destination Secret — only when something differs —
// with VSO's ownership rules: a created Secret carries the owner labels and ownerReference; an
// existing Secret is taken over only when it is unmarked and `overwrite` is set; a `create: false`
// destination must exist and only its data is replaced.
import type { KubeClient } from "../kube/client.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../kube/errors.ts";
import type { KubeObject, ObjectMeta } from "../kube/object.ts";
import { resourcePath, secrets } from "../kube/resource.ts";
import { type Owner, ownerLabels, ownerReference, ownershipOf, ownerUidLabel } from "./ownership.ts";
import type { SecretBytes } from "./secret-data.ts";

export interface SecretObject extends KubeObject {
  metadata: ObjectMeta & { name: string; namespace: string };
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
}

export interface Destination {
  name: string;
  create?: boolean | undefined;
  overwrite?: boolean | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  type?: string | undefined;
}

export interface OwnerObject extends Owner {
  namespace: string;
}

/** Where the writer looks before asking the API: the cache of Secrets that carry our labels. */
export interface ManagedSecrets {
  get(namespace: string, name: string): SecretObject | undefined;
  /** Secrets labelled with this owner UID (orphans after a destination rename). */
  ownedBy(namespace: string, ownerUid: string): SecretObject[];
}

export type WriteOutcome = "unchanged" | "created" | "updated" | "recreated";

export class DestinationError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

export function encodeData(data: SecretBytes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(data).sort())
    out[key] = Buffer.from(data[key] ?? new Uint8Array()).toString("base64");
  return out;
}

export function decodeData(data: Record<string, string> | undefined): SecretBytes {
  const out: SecretBytes = {};
  for (const [key, value] of Object.entries(data ?? {})) out[key] = Buffer.from(value, "base64");
  return out;
}

function sameStrings(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

export function desiredLabels(owner: Owner, destination: Destination): Record<string, string> {
  // Owner labels win over user labels of the same name: they are how ownership is recognised.
  return { ...destination.labels, ...ownerLabels(owner) };
}

/** Does the live Secret already hold exactly what we would write? */
export function isUpToDate(
  live: SecretObject,
  owner: Owner,
  destination: Destination,
  data: SecretBytes,
): boolean {
  if (!sameStrings(live.data, encodeData(data))) return false;
  if (!destination.create) return true;
  return (
    (live.type ?? "Opaque") === (destination.type ?? "Opaque") &&
    sameStrings(live.metadata.labels, desiredLabels(owner, destination)) &&
    sameStrings(live.metadata.annotations, destination.annotations)
  );
}

export class DestinationWriter {
  readonly #client: KubeClient;
  readonly #managed: ManagedSecrets;

  constructor(client: KubeClient, managed: ManagedSecrets) {
    this.#client = client;
    this.#managed = managed;
  }

  /** The live destination: from the cache when we own it, else one GET (unmarked or create: false). */
  async read(namespace: string, name: string): Promise<SecretObject | undefined> {
    const cached = this.#managed.get(namespace, name);
    if (cached !== undefined) return cached;
    try {
      return await this.#client.get<SecretObject>(resourcePath(secrets, { namespace, name }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The live destination as far as deciding what to write needs it. A Secret we create carries our
   * labels, so the label-selected cache holds it; a miss means absent or not ours, and the create
   * that follows finds out which (409, then one GET). That spares a GET per new object — a sixth
   * of the API requests of a first sync. `create: false` destinations are never in the cache.
   */
  async current(namespace: string, destination: Destination): Promise<SecretObject | undefined> {
    if (destination.create) return this.#managed.get(namespace, destination.name);
    return this.read(namespace, destination.name);
  }

  async write(
    owner: OwnerObject,
    destination: Destination,
    data: SecretBytes,
    live?: SecretObject | null,
  ): Promise<WriteOutcome> {
    const current = live === null ? undefined : (live ?? (await this.current(owner.namespace, destination)));
    const outcome = destination.create
      ? await this.#writeOwned(owner, destination, data, current)
      : await this.#writeExisting(owner, destination, data, current);
    if (destination.create && outcome !== "unchanged") await this.pruneOrphans(owner, destination.name);
    return outcome;
  }

  async #writeExisting(
    owner: OwnerObject,
    destination: Destination,
    data: SecretBytes,
    live: SecretObject | undefined,
  ): Promise<WriteOutcome> {
    if (live === undefined) {
      throw new DestinationError(
        "InexistentDestination",
        `destination Secret ${owner.namespace}/${destination.name} does not exist and create is false`,
      );
    }
    if (isUpToDate(live, owner, destination, data)) return "unchanged";
    // Like VSO: the data is replaced as a whole; labels, annotations, type and owners stay as they are.
    await this.#update({ ...live, data: encodeData(data) });
    return "updated";
  }

  async #writeOwned(
    owner: OwnerObject,
    destination: Destination,
    data: SecretBytes,
    live: SecretObject | undefined,
  ): Promise<WriteOutcome> {
    const desired: SecretObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: destination.name,
        namespace: owner.namespace,
        labels: desiredLabels(owner, destination),
        ...(destination.annotations === undefined ? {} : { annotations: { ...destination.annotations } }),
        ownerReferences: [ownerReference(owner)],
      },
      type: destination.type ?? "Opaque",
      data: encodeData(data),
    };
    if (live === undefined) {
      try {
        await this.#client.post(resourcePath(secrets, { namespace: owner.namespace }), desired);
        return "created";
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        // Created by someone else since we looked: judge ownership on the real object.
        const raced = await this.read(owner.namespace, destination.name);
        return this.#writeOwned(owner, destination, data, raced);
      }
    }
    const ownership = ownershipOf(live.metadata, owner);
    if (ownership === "foreign" || (ownership === "unmarked" && !destination.overwrite)) {
      throw new DestinationError(
        "SecretSyncError",
        ownership === "foreign"
          ? `destination Secret ${owner.namespace}/${destination.name} is owned by another resource`
          : `destination Secret ${owner.namespace}/${destination.name} exists and is not managed by this resource; set destination.overwrite to take it over`,
      );
    }
    if (ownership === "owned" && isUpToDate(live, owner, destination, data)) return "unchanged";
    if ((live.type ?? "Opaque") !== desired.type || live.immutable) {
      // The API forbids changing a Secret's type (and an immutable Secret's data): recreate it.
      await this.#client.delete(
        resourcePath(secrets, { namespace: owner.namespace, name: destination.name }),
        {
          body: { preconditions: { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion } },
        },
      );
      await this.#client.post(resourcePath(secrets, { namespace: owner.namespace }), desired);
      return "recreated";
    }
    const { resourceVersion, uid } = live.metadata;
    await this.#update({
      ...desired,
      metadata: {
        ...desired.metadata,
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
        ...(uid ? { uid } : {}),
      },
    });
    return "updated";
  }

  async #update(secret: SecretObject): Promise<void> {
    try {
      await this.#client.put(
        resourcePath(secrets, { namespace: secret.metadata.namespace, name: secret.metadata.name }),
        secret,
      );
    } catch (error) {
      if (isConflict(error)) {
        throw new DestinationError(
          "SecretSyncError",
          "the destination Secret changed while it was written; retrying",
        );
      }
      throw error;
    }
  }

  /** Deletes other Secrets this resource created (VSO: after a destination rename). */
  async pruneOrphans(owner: OwnerObject, keep: string): Promise<number> {
    let pruned = 0;
    for (const secret of this.#managed.ownedBy(owner.namespace, owner.uid)) {
      if (secret.metadata.name === keep) continue;
      if (ownershipOf(secret.metadata, owner) !== "owned") continue;
      try {
        await this.#client.delete(
          resourcePath(secrets, { namespace: owner.namespace, name: secret.metadata.name }),
          {
            body: { preconditions: { uid: secret.metadata.uid } },
          },
        );
        pruned++;
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
    return pruned;
  }
}

export { ownerUidLabel };
