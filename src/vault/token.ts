// One token's life: obtained by the auth strategy, renewed before its TTL runs out, replaced by a
// new login when renewal fails, the token expires or is found invalid after a 403, and revoked
// when its owner is pruned. Concurrent callers that need a login share one.
import type { AuthStrategy } from "./auth/strategy.ts";
import type { TokenProvider } from "./client.ts";
import { type Clock, systemClock } from "./clock.ts";
import { lookupSelf, renewSelf, revokeSelf } from "./engines/sys.ts";
import { isVaultError, VaultError } from "./errors.ts";
import type { VaultHttp } from "./http.ts";
import { grantFromLookup, type TokenGrant } from "./token-grant.ts";
import {
  expiresAtMs,
  isUsable,
  loginRetryDelayMs,
  planTokenRefresh,
  type TokenTiming,
} from "./token-schedule.ts";

/** The Vault calls a session makes: an interface so the lifecycle is unit-tested without Vault. */
export interface TokenOperations {
  authenticate(): Promise<TokenGrant>;
  /** What Vault says about `token` now; throws PermissionDenied when it is invalid. */
  lookup(token: string): Promise<TokenGrant>;
  renew(token: string, incrementSeconds: number | undefined): Promise<TokenGrant>;
  revoke(token: string): Promise<void>;
}

export function vaultTokenOperations(http: VaultHttp, auth: AuthStrategy): TokenOperations {
  const namespace = auth.namespace;
  return {
    authenticate: () => auth.authenticate(http),
    lookup: async (token) => grantFromLookup(token, await lookupSelf(http, { token, namespace })),
    renew: (token, incrementSeconds) => renewSelf(http, { token, namespace, incrementSeconds }),
    revoke: (token) => revokeSelf(http, { token, namespace }),
  };
}

/** A token to adopt, or where to fetch one (undefined: nothing to adopt). */
export type InitialToken = string | (() => Promise<string | undefined>);

/** Lifecycle events, for metrics and for controllers whose leases die with a replaced token. */
export interface TokenSessionObserver {
  onLogin?(info: TokenDescription): void;
  onLoginFailure?(error: unknown): void;
  onRenewal?(info: TokenDescription): void;
  onRenewalFailure?(error: unknown): void;
  /**
   * A new token replaced one that was in use. Leases (dynamic secrets) created with the previous
   * token end when it does, so their owners should fetch new ones.
   */
  onTokenReplaced?(previousAccessor: string, info: TokenDescription): void;
}

/** Everything about the current token except the token. */
export interface TokenDescription {
  method: string;
  accessor: string;
  ttlSeconds: number;
  renewable: boolean;
  policies: readonly string[];
  entityId: string | undefined;
  /** When the current TTL was granted. */
  grantedAtMs: number;
  /** When this token was obtained by a login (or adopted). */
  loggedInAtMs: number;
  /** undefined for a token that never expires. */
  expiresAtMs: number | undefined;
}

export interface TokenSessionOptions {
  auth: AuthStrategy;
  /** The transport; required unless `operations` is given. */
  http?: VaultHttp | undefined;
  operations?: TokenOperations | undefined;
  clock?: Clock | undefined;
  /**
   * A token obtained earlier (persisted across a restart, or adopted from VSO's cache). It is
   * looked up before first use and used only if still valid, so a restart need not mean a new
   * token — and new dynamic credentials. A function is called once, by the first login, so a
   * token kept elsewhere (a Kubernetes Secret, perhaps encrypted) is read only when needed; if it
   * rejects, that login fails rather than minting a token the caller meant to avoid.
   */
  initialToken?: InitialToken | undefined;
  /**
   * After a 403 on a token that is still valid, log in again only if the token is at least this
   * old: its policies may have changed since (VSO #1185). Younger tokens keep the 403, so a
   * missing policy does not turn every read into a login. Default 30 s.
   */
  policyRefreshAfterMs?: number | undefined;
  observer?: TokenSessionObserver | undefined;
}

interface Current {
  grant: TokenGrant;
  timing: TokenTiming;
  loggedInAtMs: number;
}

export class TokenSession implements TokenProvider {
  readonly method: string;
  readonly namespace: string | undefined;
  readonly #auth: AuthStrategy;
  readonly #ops: TokenOperations;
  readonly #clock: Clock;
  readonly #observer: TokenSessionObserver;
  readonly #policyRefreshAfterMs: number;
  /**
   * Set once leases (dynamic secrets) were created with this session's token. A 403 then replaces
   * the token only when Vault no longer honours it, never to refresh its policies: Vault ends a
   * token's leases with it, so replacing a valid token would cost every lease new credentials.
   */
  holdsLeases = false;
  #initialToken: InitialToken | undefined;
  #current: Current | undefined;
  /** Known to be unusable (revoked, expired): the next caller must wait for a login. */
  #invalid = false;
  #login: Promise<Current> | undefined;
  #cancelTimer: (() => void) | undefined;
  #backgroundFailures = 0;
  #closed = false;

  constructor(options: TokenSessionOptions) {
    this.#auth = options.auth;
    this.method = options.auth.method;
    this.namespace = options.auth.namespace;
    if (options.operations !== undefined) {
      this.#ops = options.operations;
    } else if (options.http !== undefined) {
      this.#ops = vaultTokenOperations(options.http, options.auth);
    } else {
      throw new TypeError("TokenSession needs http or operations");
    }
    this.#clock = options.clock ?? systemClock;
    this.#observer = options.observer ?? {};
    this.#policyRefreshAfterMs = options.policyRefreshAfterMs ?? 30_000;
    this.#initialToken = options.initialToken;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a token has been obtained and not yet found invalid. */
  get hasToken(): boolean {
    return this.#current !== undefined && !this.#invalid;
  }

  describe(): TokenDescription | undefined {
    return this.#current === undefined ? undefined : this.#describe(this.#current);
  }

  async token(_signal?: AbortSignal): Promise<string> {
    this.#assertOpen();
    const current = this.#current;
    // A usable token is handed out even while a replacement login runs in the background.
    if (current !== undefined && !this.#invalid && isUsable(current.timing, this.#clock.now())) {
      return current.grant.token;
    }
    // The shared login ignores any one caller's signal: aborting it would fail the others.
    return (await this.#loginOnce()).grant.token;
  }

  async recoverFromForbidden(token: string, _error: VaultError): Promise<boolean> {
    if (this.#closed) return false;
    if (this.#login !== undefined) {
      await this.#login;
      return true;
    }
    // Someone else already replaced the token this request used.
    if (this.#current?.grant.token !== token) return this.#current !== undefined;
    let valid: boolean;
    try {
      await this.#ops.lookup(token);
      valid = true;
    } catch (error) {
      if (!isVaultError(error, "PermissionDenied")) return false;
      valid = false;
    }
    if (!valid) {
      this.#invalid = true;
      await this.#loginOnce();
      return true;
    }
    // A static token does not change policies by being looked up again.
    if (this.#auth.method === "token" || this.holdsLeases) return false;
    const age = this.#clock.now() - (this.#current?.loggedInAtMs ?? 0);
    if (age < this.#policyRefreshAfterMs) return false;
    await this.#loginOnce();
    return true;
  }

  /** Renews the token now instead of at its scheduled time. */
  async renewNow(): Promise<TokenDescription> {
    this.#assertOpen();
    const current = this.#current ?? (await this.#loginOnce());
    const grant = await this.#ops.renew(current.grant.token, current.timing.loginTtlSeconds || undefined);
    // A login that finished meanwhile installed a newer token: keep it.
    if (this.#current !== current) return this.#describe(this.#current ?? current);
    const next = this.#install(
      { ...grant, token: current.grant.token },
      current.loggedInAtMs,
      current.timing.loginTtlSeconds,
    );
    const info = this.#describe(next);
    this.#observer.onRenewal?.(info);
    return info;
  }

  /** Stops renewing; the token stays valid until its TTL ends. For eviction and shutdown. */
  close(): void {
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  /** Stops renewing and revokes the token if it is ours (not a static token). Never throws. */
  async revoke(): Promise<void> {
    const pending = this.#login;
    this.close();
    if (pending !== undefined) await pending.catch(() => undefined);
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined || !this.#auth.ownsToken || this.#invalid) return;
    try {
      await this.#ops.revoke(current.grant.token);
    } catch {
      // Best effort: the token expires on its own.
    }
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new VaultError({ reason: "InvalidConfiguration", message: "the Vault token session is closed" });
  }

  #loginOnce(): Promise<Current> {
    this.#login ??= this.#obtain().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #obtain(): Promise<Current> {
    const previous = this.#current;
    let grant: TokenGrant;
    let loginTtlSeconds: number;
    try {
      const adopted = await this.#adoptInitialToken();
      grant = adopted?.grant ?? (await this.#ops.authenticate());
      loginTtlSeconds = adopted?.loginTtlSeconds ?? grant.ttlSeconds;
    } catch (error) {
      this.#observer.onLoginFailure?.(error);
      throw error;
    }
    if (this.#closed) {
      // Closed while logging in: nobody will renew or revoke this token but us.
      if (this.#auth.ownsToken) await this.#ops.revoke(grant.token).catch(() => undefined);
      this.#assertOpen();
    }
    const next = this.#install(grant, this.#clock.now(), loginTtlSeconds);
    const info = this.#describe(next);
    this.#observer.onLogin?.(info);
    if (previous !== undefined && previous.grant.accessor !== grant.accessor) {
      this.#observer.onTokenReplaced?.(previous.grant.accessor, info);
    }
    return next;
  }

  /**
   * Takes over the initial token if Vault still honours it. A renewable one is renewed at once by
   * its creation TTL, as Vault's lifetime watcher does on start, so the schedule starts afresh.
   */
  async #adoptInitialToken(): Promise<{ grant: TokenGrant; loginTtlSeconds: number } | undefined> {
    const initial = this.#initialToken;
    this.#initialToken = undefined;
    const token = typeof initial === "function" ? await initial() : initial;
    if (token === undefined) return undefined;
    let grant: TokenGrant;
    try {
      grant = await this.#ops.lookup(token);
    } catch {
      return undefined;
    }
    const loginTtlSeconds = grant.creationTtlSeconds ?? grant.ttlSeconds;
    if (grant.renewable && grant.ttlSeconds > 0) {
      try {
        grant = { ...(await this.#ops.renew(token, loginTtlSeconds || undefined)), token };
      } catch {
        // Still valid for what is left of its TTL; the schedule will replace it in time.
      }
    }
    const timing = {
      grantedAtMs: this.#clock.now(),
      ttlSeconds: grant.ttlSeconds,
      renewable: grant.renewable,
      loginTtlSeconds,
    };
    return isUsable(timing, this.#clock.now()) ? { grant, loginTtlSeconds } : undefined;
  }

  #install(grant: TokenGrant, loggedInAtMs: number, loginTtlSeconds: number): Current {
    const current: Current = {
      grant,
      loggedInAtMs,
      timing: {
        grantedAtMs: this.#clock.now(),
        ttlSeconds: grant.ttlSeconds,
        renewable: grant.renewable,
        loginTtlSeconds,
      },
    };
    this.#current = current;
    this.#invalid = false;
    this.#backgroundFailures = 0;
    this.#schedule(current);
    return current;
  }

  #schedule(current: Current): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#closed) return;
    const plan = planTokenRefresh(current.timing);
    if (plan.action === "none") return;
    const delay = Math.max(0, plan.atMs - this.#clock.now());
    this.#cancelTimer = this.#clock.setTimer(delay, () => {
      this.#cancelTimer = undefined;
      void (plan.action === "renew" ? this.#renewInBackground() : this.#loginInBackground());
    });
  }

  async #renewInBackground(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.renewNow();
    } catch (error) {
      if (this.#closed) return;
      this.#observer.onRenewalFailure?.(error);
      // A token Vault refuses is dead now; one that failed for another reason (Vault unreachable)
      // keeps serving until it expires while a new login is attempted.
      if (isVaultError(error, "PermissionDenied")) this.#invalid = true;
      await this.#loginInBackground();
    }
  }

  async #loginInBackground(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#loginOnce();
    } catch {
      if (this.#closed) return;
      this.#backgroundFailures++;
      this.#cancelTimer?.();
      this.#cancelTimer = this.#clock.setTimer(loginRetryDelayMs(this.#backgroundFailures), () => {
        this.#cancelTimer = undefined;
        void this.#loginInBackground();
      });
    }
  }

  #describe(current: Current): TokenDescription {
    return {
      method: this.method,
      accessor: current.grant.accessor,
      ttlSeconds: current.grant.ttlSeconds,
      renewable: current.grant.renewable,
      policies: current.grant.policies,
      entityId: current.grant.entityId,
      grantedAtMs: current.timing.grantedAtMs,
      loggedInAtMs: current.loggedInAtMs,
      expiresAtMs: expiresAtMs(current.timing),
    };
  }
}
