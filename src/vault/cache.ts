// The client cache: one token session per client identity (cache-key.ts), shared by every object
// that resolves to that identity. Concurrent first uses share one login. Entries leave by LRU
// eviction (token left to expire, as VSO does) or by prune when a VaultAuth or VaultConnection
// changes (token revoked, best effort).
import type { AuthStrategy } from "./auth/strategy.ts";
import { type ClientIdentity, clientCacheKey, parentCacheKey } from "./cache-key.ts";
import { VaultClient } from "./client.ts";
import type { Clock } from "./clock.ts";
import { isVaultError } from "./errors.ts";
import type { VaultHttp } from "./http.ts";
import { type InitialToken, type TokenDescription, type TokenOperations, TokenSession } from "./token.ts";

/** VSO's --client-cache-size default. */
export const defaultClientCacheSize = 10_000;

/** Counts for metrics, and the removal/replacement signals controllers act on. All optional. */
export interface ClientCacheObserver {
  onHit?(key: string): void;
  onMiss?(key: string): void;
  onLogin?(key: string, method: string): void;
  onLoginFailure?(key: string, method: string, reason: string): void;
  onRenewal?(key: string, method: string): void;
  onRenewalFailure?(key: string, method: string, reason: string): void;
  /** The identity got a new token; leases made with the old one end with it. */
  onTokenReplaced?(key: string): void;
  onRemoved?(key: string, cause: "evicted" | "pruned" | "login-failed" | "closed"): void;
}

/** What a cache miss needs to open a session: the connection's transport and the auth strategy. */
export interface ClientSource {
  http: VaultHttp;
  auth: AuthStrategy;
  /** A previously persisted token for this identity, reused if Vault still honours it. */
  initialToken?: InitialToken | undefined;
  /** Replaces the Vault calls of the token lifecycle (lookup, renew, revoke); for tests. */
  operations?: TokenOperations | undefined;
}

export interface CacheEntryInfo {
  /** The parent cache key (the token's identity). */
  key: string;
  identity: Readonly<Omit<ClientIdentity, "vaultNamespace">>;
  token: TokenDescription | undefined;
}

export interface CachedClient {
  /** For status.vaultClientMeta.cacheKey: the parent key, or the clone key for another namespace. */
  cacheKey: string;
  /** The token's identity in this cache. */
  parentKey: string;
  /** Sends with the identity's token, in identity.vaultNamespace or else the auth's namespace. */
  client: VaultClient;
  session: TokenSession;
}

export interface VaultClientCacheOptions {
  maxSize?: number | undefined;
  clock?: Clock | undefined;
  observer?: ClientCacheObserver | undefined;
  /** Passed to every TokenSession (see TokenSessionOptions.policyRefreshAfterMs). */
  policyRefreshAfterMs?: number | undefined;
}

interface Entry {
  key: string;
  identity: Omit<ClientIdentity, "vaultNamespace">;
  http: VaultHttp;
  session: TokenSession;
}

export class VaultClientCache {
  readonly maxSize: number;
  readonly #entries = new Map<string, Entry>();
  readonly #options: VaultClientCacheOptions;
  readonly #observer: ClientCacheObserver;

  constructor(options: VaultClientCacheOptions = {}) {
    this.maxSize = options.maxSize ?? defaultClientCacheSize;
    if (!Number.isInteger(this.maxSize) || this.maxSize < 1)
      throw new RangeError("maxSize must be a positive integer");
    this.#options = options;
    this.#observer = options.observer ?? {};
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Parent keys, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  entries(): CacheEntryInfo[] {
    return [...this.#entries.values()].map(info);
  }

  /**
   * The client for `identity`, logged in. `source` is called only on a miss. A first login that
   * fails removes the entry again, so the next call starts from fresh credentials.
   */
  async get(identity: ClientIdentity, source: () => ClientSource): Promise<CachedClient> {
    const key = parentCacheKey(identity);
    const cacheKey = clientCacheKey(identity);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#observer.onMiss?.(key);
      entry = this.#open(key, identity, source());
    } else {
      this.#observer.onHit?.(key);
      // Map order is the LRU order: re-inserting marks it most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    try {
      await entry.session.token();
    } catch (error) {
      if (this.#entries.get(key) === entry && !entry.session.hasToken) {
        this.#entries.delete(key);
        entry.session.close();
        this.#observer.onRemoved?.(key, "login-failed");
      }
      throw error;
    }
    const namespace =
      identity.vaultNamespace === undefined || identity.vaultNamespace === ""
        ? entry.session.namespace
        : identity.vaultNamespace;
    return {
      cacheKey,
      parentKey: key,
      client: new VaultClient({ http: entry.http, tokens: entry.session, namespace }),
      session: entry.session,
    };
  }

  /**
   * Removes every entry the predicate selects (a VaultAuth or VaultConnection changed or went
   * away) and revokes their tokens, best effort. Resolves to the removed parent keys.
   */
  async prune(predicate: (entry: CacheEntryInfo) => boolean): Promise<string[]> {
    const removed = [...this.#entries.values()].filter((entry) => predicate(info(entry)));
    for (const entry of removed) {
      this.#entries.delete(entry.key);
      this.#observer.onRemoved?.(entry.key, "pruned");
    }
    await Promise.all(removed.map((entry) => entry.session.revoke()));
    return removed.map((entry) => entry.key);
  }

  /** Stops every session without revoking (operator shutdown: the tokens may be restored later). */
  close(): void {
    for (const entry of this.#entries.values()) {
      entry.session.close();
      this.#observer.onRemoved?.(entry.key, "closed");
    }
    this.#entries.clear();
  }

  #open(key: string, identity: ClientIdentity, source: ClientSource): Entry {
    const { vaultNamespace: _, ...parentIdentity } = identity;
    const observer = this.#observer;
    const method = source.auth.method;
    const session = new TokenSession({
      http: source.http,
      auth: source.auth,
      initialToken: source.initialToken,
      operations: source.operations,
      clock: this.#options.clock,
      policyRefreshAfterMs: this.#options.policyRefreshAfterMs,
      observer: {
        onLogin: () => observer.onLogin?.(key, method),
        onLoginFailure: (error) => observer.onLoginFailure?.(key, method, reasonOf(error)),
        onRenewal: () => observer.onRenewal?.(key, method),
        onRenewalFailure: (error) => observer.onRenewalFailure?.(key, method, reasonOf(error)),
        onTokenReplaced: () => observer.onTokenReplaced?.(key),
      },
    });
    const entry: Entry = { key, identity: parentIdentity, http: source.http, session };
    this.#entries.set(key, entry);
    while (this.#entries.size > this.maxSize) {
      const oldest = this.#entries.values().next().value as Entry;
      this.#entries.delete(oldest.key);
      oldest.session.close();
      observer.onRemoved?.(oldest.key, "evicted");
    }
    return entry;
  }
}

function info(entry: Entry): CacheEntryInfo {
  return { key: entry.key, identity: entry.identity, token: entry.session.describe() };
}

function reasonOf(error: unknown): string {
  return isVaultError(error) ? error.reason : "Unknown";
}
