// Knowing within seconds that a KV v2 secret changed, without Vault Enterprise events and without
// reading every secret: VaultStaticSecrets with `syncConfig.instantUpdates: true` are grouped by
// Vault client (identity, connection, Vault namespace), mount and folder, and each group is checked
// with the cheapest request its token may make —
//   "detailed-metadata": one LIST <mount>/detailed-metadata/<folder> for the whole folder (OpenBao ≥ 2.2);
//   "metadata": one GET <mount>/metadata/<path> per secret;
//   "read": no metadata permission — the resource is simply re-synced (a full read, as VSO polls).
// Only secrets whose version, update time or deletion state moved are re-synced. A group that is
// refused a mode (403, or 404/405 for a server without detailed-metadata) falls back to the next.
import { parseVaultStaticSecret, type VaultStaticSecretSpec } from "../../api/index.ts";
import {
  isVaultError,
  type KvV2Metadata,
  listKvV2DetailedMetadata,
  readKvV2Metadata,
} from "../../vault/index.ts";
import { keyOf, type OperatorContext, type RawResource, secretStore } from "../context.ts";

export type DetectionMode = "detailed-metadata" | "metadata" | "read";
const modes: readonly DetectionMode[] = ["detailed-metadata", "metadata", "read"];

interface Member {
  key: string;
  /** Path relative to the folder, as the listing names it. */
  leaf: string;
  path: string;
}

interface Group {
  id: string;
  mode: DetectionMode;
  members: Member[];
  mount: string;
  folder: string;
  consumer: { namespace: string; vaultAuthRef?: string | undefined; vaultNamespace?: string | undefined };
}

/**
 * What identifies the data a kv-v2 read returns: the current version and its deletion state (soft
 * delete, undelete and destroy do not move the version). The reconcile records the same from the
 * data response, so a change is "differs from what was last synced", with no baseline to miss.
 */
export function kvFingerprint(version: unknown, deletionTime: unknown, destroyed: unknown): string {
  return JSON.stringify([Number(version ?? 0), String(deletionTime ?? ""), destroyed === true]);
}

export function fingerprint(meta: Partial<KvV2Metadata> | undefined): string | undefined {
  if (meta === undefined) return undefined;
  const current = meta.current_version;
  const version = current === undefined ? undefined : meta.versions?.[String(current)];
  return kvFingerprint(current, version?.deletion_time, version?.destroyed);
}

/** The VaultStaticSecrets the detector serves: kv-v2 with instantUpdates, not pinned to a version. */
export function watchedByChangeDetector(spec: VaultStaticSecretSpec): boolean {
  return spec.syncConfig?.instantUpdates === true && spec.type === "kv-v2" && !spec.version;
}

function splitPath(path: string): { folder: string; leaf: string } {
  const clean = path.replace(/^\/+|\/+$/g, "");
  const slash = clean.lastIndexOf("/");
  return slash < 0
    ? { folder: "", leaf: clean }
    : { folder: clean.slice(0, slash), leaf: clean.slice(slash + 1) };
}

export class ChangeDetector {
  readonly #ctx: OperatorContext;
  readonly #intervalMs: number;
  /** The last state we already asked a resync for, so a failing resync is not asked for again each scan. */
  readonly #notified = new Map<string, string>();
  readonly #lastFullRead = new Map<string, number>();
  /** Mode a group settled on, by group id. */
  readonly #modes = new Map<string, DetectionMode>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(ctx: OperatorContext, intervalMs: number) {
    this.#ctx = ctx;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.scan()
        .catch((error: unknown) =>
          this.#ctx.log.warn({ err: (error as Error).message }, "change detection failed"),
        )
        .finally(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** One pass over every group; exposed for tests. */
  async scan(): Promise<void> {
    const groups = this.#groups();
    const counts: Record<DetectionMode, number> = { "detailed-metadata": 0, metadata: 0, read: 0 };
    for (const group of groups) {
      if (this.#stopped) return;
      try {
        await this.#check(group);
      } catch (error) {
        this.#ctx.log.debug(
          { group: group.id, err: (error as Error).message },
          "change detection group failed",
        );
      }
      counts[this.#modes.get(group.id) ?? group.mode]++;
    }
    for (const mode of modes) this.#ctx.metrics.detectionGroups.set({ mode }, counts[mode]);
  }

  #groups(): Group[] {
    const ctx = this.#ctx;
    const groups = new Map<string, Group>();
    const live = new Set<string>();
    for (const raw of secretStore(ctx, "vaultstaticsecret").list()) {
      const parsed = parseVaultStaticSecret(raw as RawResource);
      if (!parsed.ok) continue;
      const spec = parsed.value.spec;
      if (!watchedByChangeDetector(spec)) continue;
      const namespace = raw.metadata?.namespace ?? "";
      let resolved: ReturnType<OperatorContext["clients"]["resolve"]>;
      try {
        resolved = ctx.clients.resolve({
          namespace,
          vaultAuthRef: spec.vaultAuthRef,
          vaultNamespace: spec.namespace,
        });
      } catch {
        continue;
      }
      const { folder, leaf } = splitPath(spec.path);
      const vaultNamespace = spec.namespace || resolved.effective.vaultNamespace || "";
      // The same token sees the same things: auth object and consumer namespace (its credentials) define it.
      const id = [
        resolved.auth.metadata.uid,
        namespace,
        resolved.connection.metadata.uid,
        vaultNamespace,
        spec.mount,
        folder,
      ].join("|");
      const key = keyOf(raw);
      live.add(key);
      let group = groups.get(id);
      if (group === undefined) {
        group = {
          id,
          mode: this.#modes.get(id) ?? "detailed-metadata",
          members: [],
          mount: spec.mount,
          folder,
          consumer: { namespace, vaultAuthRef: spec.vaultAuthRef, vaultNamespace: spec.namespace },
        };
        groups.set(id, group);
      }
      group.members.push({ key, leaf, path: spec.path });
    }
    for (const key of this.#notified.keys()) if (!live.has(key)) this.#notified.delete(key);
    return [...groups.values()];
  }

  async #check(group: Group): Promise<void> {
    const ctx = this.#ctx;
    const { client } = await ctx.clients.forConsumer(group.consumer);
    let mode = this.#modes.get(group.id) ?? group.mode;
    for (;;) {
      try {
        const started = Date.now();
        if (mode === "detailed-metadata") {
          ctx.metrics.detectionRequests.inc({ mode });
          const listing = await listKvV2DetailedMetadata(client, { mount: group.mount, path: group.folder });
          for (const member of group.members) this.#observe(member, listing.keyInfo[member.leaf], started);
        } else if (mode === "metadata") {
          for (const member of group.members) {
            ctx.metrics.detectionRequests.inc({ mode });
            let meta: Partial<KvV2Metadata> | undefined;
            try {
              meta = await readKvV2Metadata(client, { mount: group.mount, path: member.path });
            } catch (error) {
              if (!isVaultError(error, "NotFound")) throw error;
            }
            this.#observe(member, meta, started);
          }
        } else {
          // Without metadata access the only check is the full read: do it every fifth interval,
          // not every scan (20 s at the default 4 s), still well inside VSO's 60 s polling.
          const last = this.#lastFullRead.get(group.id) ?? 0;
          if (started - last >= 5 * this.#intervalMs) {
            this.#lastFullRead.set(group.id, started);
            for (const member of group.members) ctx.enqueue("vaultstaticsecret", member.key);
          }
        }
        this.#modes.set(group.id, mode);
        return;
      } catch (error) {
        const refused =
          isVaultError(error, "PermissionDenied") ||
          (mode === "detailed-metadata" &&
            (isVaultError(error, "InvalidRequest") || isVaultError(error, "UnexpectedResponse")));
        const next = modes[modes.indexOf(mode) + 1];
        if (!refused || next === undefined) throw error;
        ctx.log.info({ group: group.id, from: mode, to: next }, "change detection falls back");
        mode = next;
      }
    }
  }

  #observe(member: Member, meta: Partial<KvV2Metadata> | undefined, now: number): void {
    const print = fingerprint(meta) ?? "absent";
    if (print === this.#ctx.kvSynced.get(member.key) || print === this.#notified.get(member.key)) return;
    this.#notified.set(member.key, print);
    this.#ctx.enqueue("vaultstaticsecret", member.key);
    const updated = Date.parse(String(meta?.updated_time ?? ""));
    if (Number.isFinite(updated)) this.#ctx.metrics.detectionDelay.observe(Math.max(0, now - updated) / 1000);
  }
}
