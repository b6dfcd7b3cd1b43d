// Vault tokens kept across operator restarts and leader handovers. A dynamic secret's lease lives
// exactly as long as the token that created it, so a restart that logs in anew costs every
// VaultDynamicSecret new credentials and every workload a restart (VSO #285). Keyport keeps each
// identity's token in a record (record.ts) in the operator namespace and, on the first use of that
// identity after a start, adopts it instead of logging in: the same token, the same leases.
//
// Every record is integrity-protected (HMAC); with a Transit key configured (encryption.ts) the
// token is encrypted too. A record that fails any check is discarded and logged, never used.
import { createHash } from "node:crypto";
import type { RunOptions } from "../../cli/options.ts";
import { isAlreadyExists } from "../../kube/errors.ts";
import { create, deleteObject, getObject } from "../../kube/patch.ts";
import { resourcePath, secrets } from "../../kube/resource.ts";
import {
  isVaultError,
  type TokenDescription,
  transitDecrypt,
  transitEncrypt,
  type VaultClient,
} from "../../vault/index.ts";
import type { OperatorContext, RawResource } from "../context.ts";
import type { TokenOwner, TokenPersistence } from "../vault-clients.ts";
import { chooseEncryptionKey, type EncryptionChoice, type EncryptionKey } from "./encryption.ts";
import {
  buildRecord,
  type RecordSecret,
  readRecord,
  recordLabelKeys,
  recordName,
  recordSelector,
  tokenFromPayload,
  tokenPayload,
} from "./record.ts";

export type PersistenceModel = RunOptions["clientCachePersistenceModel"];

type DiscardReason = "tampered" | "malformed" | "undecryptable" | "unencrypted";

function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ClientCacheStorage implements TokenPersistence {
  readonly model: PersistenceModel;
  #ctx: OperatorContext | undefined;
  /** A fingerprint of the token each record holds, by cache key: a known token is not written again. */
  readonly #stored = new Map<string, string>();
  readonly #writes = new Map<string, Promise<void>>();
  readonly #warned = new Set<string>();

  constructor(model: PersistenceModel) {
    this.model = model;
  }

  /** The storage works once the operator's context (and its HMAC key) exists. */
  bind(ctx: OperatorContext): void {
    this.#ctx = ctx;
  }

  async restore(owner: TokenOwner): Promise<string | undefined> {
    const ctx = this.#usable();
    if (ctx === undefined) return undefined;
    const choice = this.#encryption(ctx);
    if (choice.kind === "key" && choice.key.authUid === owner.identity.authUID) return undefined;
    const name = recordName(owner.parentKey);
    const namespace = ctx.settings.operatorNamespace;
    ctx.metrics.clientCacheStorageRequests.inc({ operation: "restore" });
    let record: RecordSecret | undefined;
    try {
      record = await getObject<RecordSecret>(ctx.kube, secrets, { namespace, name });
    } catch (error) {
      ctx.metrics.clientCacheStorageErrors.inc({ operation: "restore" });
      throw new Error(
        `the persisted Vault token ${namespace}/${name} could not be read: ${messageOf(error)}`,
      );
    }
    if (record === undefined) return undefined;
    const reading = readRecord(record, ctx.hmacKey, owner.parentKey);
    let token: string | undefined;
    switch (reading.kind) {
      case "discard":
        return this.#discard(ctx, name, reading.reason);
      case "plain":
        if (this.model === "direct-encrypted") {
          // Possibly planted, and in any case a plaintext token the configuration forbids at rest.
          await this.#delete(ctx, name);
          return this.#discard(ctx, name, "unencrypted");
        }
        token = reading.token;
        break;
      case "encrypted": {
        if (choice.kind !== "key" || choice.key.authName !== reading.transitRef) {
          return this.#discard(ctx, name, "undecryptable", `encrypted with VaultAuth ${reading.transitRef}`);
        }
        let plaintext: Uint8Array;
        try {
          plaintext = await transitDecrypt(await this.#transitClient(ctx, choice.key), {
            mount: choice.key.mount,
            key: choice.key.keyName,
            ciphertext: reading.ciphertext,
          });
        } catch (error) {
          // Transit refusing the ciphertext is final; anything else (Vault unreachable, the
          // encryption VaultAuth failing to log in) may pass, and logging in instead would end the
          // leases this token holds.
          if (isVaultError(error, "InvalidRequest")) return this.#discard(ctx, name, "undecryptable");
          ctx.metrics.clientCacheStorageErrors.inc({ operation: "restore" });
          throw new Error(
            `the persisted Vault token ${namespace}/${name} could not be decrypted: ${messageOf(error)}`,
          );
        }
        token = tokenFromPayload(plaintext);
        if (token === undefined) return this.#discard(ctx, name, "malformed");
        break;
      }
    }
    this.#stored.set(owner.parentKey, fingerprint(token));
    ctx.log.info({ record: name }, "found a persisted Vault token: adopting it if Vault still honours it");
    return token;
  }

  async remember(owner: TokenOwner, token: string, description: TokenDescription | undefined): Promise<void> {
    const ctx = this.#usable();
    // A token that cannot be renewed outlives nothing worth keeping; a static token is its owner's.
    if (ctx === undefined || description === undefined || !description.renewable) return;
    if (description.method === "token") return;
    const choice = this.#encryption(ctx);
    if (choice.kind === "key" && choice.key.authUid === owner.identity.authUID) return;
    const key = owner.parentKey;
    const print = fingerprint(token);
    if (this.#stored.get(key) === print) return;
    const pending = this.#writes.get(key);
    if (pending !== undefined) {
      await pending;
      if (this.#stored.get(key) === print) return;
    }
    const write = this.#store(ctx, owner, token, description, print, choice).finally(() =>
      this.#writes.delete(key),
    );
    this.#writes.set(key, write);
    await write;
  }

  /** The identity's token was revoked (its VaultAuth or VaultConnection changed): drop its record. */
  async forget(parentKey: string): Promise<void> {
    const ctx = this.#ctx;
    this.#stored.delete(parentKey);
    if (ctx === undefined || this.model === "none") return;
    await this.#delete(ctx, recordName(parentKey));
  }

  /**
   * At the start of a leadership term: with `none`, delete every record (VSO's purge); otherwise
   * delete records whose VaultAuth or VaultConnection is gone or has moved to a new generation —
   * their tokens were revoked or will never be asked for again.
   */
  async start(): Promise<void> {
    const ctx = this.#ctx;
    if (ctx === undefined) return;
    const namespace = ctx.settings.operatorNamespace;
    const operation = this.model === "none" ? "purge" : "prune";
    ctx.metrics.clientCacheStorageRequests.inc({ operation });
    try {
      const list = await ctx.kube.get<{ items?: RecordSecret[] }>(resourcePath(secrets, { namespace }), {
        query: { labelSelector: recordSelector },
      });
      // undefined: the object is gone; its records can never be asked for again.
      const generation = (store: readonly RawResource[], uid: string | undefined) => {
        const found = store.find((o) => o.metadata?.uid === uid);
        return found === undefined ? undefined : String(found.metadata?.generation ?? 0);
      };
      const auths = ctx.stores.vaultAuths.list();
      const connections = ctx.stores.vaultConnections.list();
      const k = recordLabelKeys;
      let deleted = 0;
      for (const record of list.items ?? []) {
        const labels = record.metadata?.labels ?? {};
        const stale =
          this.model === "none" ||
          generation(auths, labels[k.authUid]) !== labels[k.authGeneration] ||
          generation(connections, labels[k.connectionUid]) !== labels[k.connectionGeneration];
        if (stale && (await this.#delete(ctx, record.metadata?.name ?? ""))) deleted++;
      }
      if (deleted > 0) ctx.log.info({ deleted, model: this.model }, `persisted Vault tokens: ${operation}`);
    } catch (error) {
      ctx.metrics.clientCacheStorageErrors.inc({ operation });
      ctx.log.warn({ err: messageOf(error) }, `persisted Vault tokens: ${operation} failed`);
    }
  }

  #usable(): OperatorContext | undefined {
    const ctx = this.#ctx;
    if (ctx === undefined || this.model === "none" || ctx.hmacKey.length === 0) return undefined;
    return ctx;
  }

  #encryption(ctx: OperatorContext): EncryptionChoice {
    return chooseEncryptionKey(
      ctx.stores.vaultAuths.list(ctx.settings.operatorNamespace),
      ctx.settings.operatorNamespace,
    );
  }

  async #transitClient(ctx: OperatorContext, key: EncryptionKey): Promise<VaultClient> {
    const namespace = ctx.settings.operatorNamespace;
    return (await ctx.clients.forConsumer({ namespace, vaultAuthRef: key.authName })).client;
  }

  async #store(
    ctx: OperatorContext,
    owner: TokenOwner,
    token: string,
    description: TokenDescription,
    print: string,
    choice: EncryptionChoice,
  ): Promise<void> {
    const name = recordName(owner.parentKey);
    ctx.metrics.clientCacheStorageRequests.inc({ operation: "store" });
    try {
      let payload = tokenPayload(token, description);
      let transitRef: string | undefined;
      // direct-unencrypted is VSO's explicit choice of plaintext; every other model encrypts when it can.
      const encrypts = this.model !== "direct-unencrypted";
      if (encrypts && choice.kind === "key") {
        const ciphertext = await transitEncrypt(await this.#transitClient(ctx, choice.key), {
          mount: choice.key.mount,
          key: choice.key.keyName,
          plaintext: payload,
        });
        payload = new TextEncoder().encode(ciphertext);
        transitRef = choice.key.authName;
      } else if (encrypts && (choice.kind === "ambiguous" || this.model === "direct-encrypted")) {
        // Never fall back to plaintext when encryption was asked for.
        const why =
          choice.kind === "ambiguous"
            ? `more than one VaultAuth in ${ctx.settings.operatorNamespace} is labelled cacheStorageEncryption=true (${choice.names.join(", ")})`
            : `no VaultAuth in ${ctx.settings.operatorNamespace} is labelled cacheStorageEncryption=true with spec.storageEncryption`;
        this.#warnOnce(ctx, why, `Vault tokens are not persisted: ${why}`);
        ctx.metrics.clientCacheStorageErrors.inc({ operation: "store" });
        return;
      }
      const record = buildRecord({
        namespace: ctx.settings.operatorNamespace,
        owner,
        key: ctx.hmacKey,
        secret: payload,
        transitRef,
      });
      await this.#replace(ctx, record);
      this.#stored.set(owner.parentKey, print);
      ctx.log.info({ record: name, encrypted: transitRef !== undefined }, "persisted the Vault token");
    } catch (error) {
      ctx.metrics.clientCacheStorageErrors.inc({ operation: "store" });
      ctx.log.warn({ record: name, err: messageOf(error) }, "could not persist the Vault token");
    }
  }

  /** Records are immutable: a new token replaces the record (VSO does the same). */
  async #replace(ctx: OperatorContext, record: RecordSecret): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await create(ctx.kube, secrets, record);
        return;
      } catch (error) {
        if (!isAlreadyExists(error) || attempt >= 3) throw error;
        await deleteObject(ctx.kube, secrets, {
          namespace: record.metadata?.namespace,
          name: record.metadata?.name ?? "",
        });
      }
    }
  }

  async #delete(ctx: OperatorContext, name: string): Promise<boolean> {
    if (name === "") return false;
    ctx.metrics.clientCacheStorageRequests.inc({ operation: "delete" });
    try {
      return await deleteObject(ctx.kube, secrets, { namespace: ctx.settings.operatorNamespace, name });
    } catch (error) {
      ctx.metrics.clientCacheStorageErrors.inc({ operation: "delete" });
      ctx.log.warn({ record: name, err: messageOf(error) }, "could not delete a persisted Vault token");
      return false;
    }
  }

  #discard(ctx: OperatorContext, name: string, reason: DiscardReason, detail?: string): undefined {
    ctx.metrics.clientCacheStorageDiscards.inc({ reason });
    ctx.log.warn(
      { record: name, reason, ...(detail === undefined ? {} : { detail }) },
      "discarded a persisted Vault token that cannot be trusted; logging in instead",
    );
    return undefined;
  }

  #warnOnce(ctx: OperatorContext, key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    ctx.log.warn(message);
  }
}
