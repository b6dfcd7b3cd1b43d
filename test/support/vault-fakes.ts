// Fakes of Keyport's own interfaces (Clock, TokenOperations, AuthStrategy) for unit tests of the
// Vault client's lifecycle logic. They never imitate Vault's wire protocol.
import type { AuthStrategy } from "../../src/vault/auth/strategy.ts";
import type { Clock } from "../../src/vault/clock.ts";
import { VaultError } from "../../src/vault/errors.ts";
import type { TokenOperations } from "../../src/vault/token.ts";
import type { TokenGrant } from "../../src/vault/token-grant.ts";

/** A clock that moves only when told; due timers run in order of their deadline. */
export class FakeClock implements Clock {
  #now: number;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #nextId = 0;

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const id = this.#nextId++;
    this.#timers.push({ at: this.#now + Math.max(0, delayMs), fn, id });
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    };
  }

  /** Deadlines of the armed timers, soonest first. */
  get pending(): number[] {
    return this.#timers.map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time forward, running each timer that falls due and letting its promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t.id !== due.id);
      this.#now = due.at;
      due.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

/** Lets chains of resolved promises run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface FakeVaultState {
  logins: number;
  renewals: number;
  lookups: number;
  revoked: string[];
  /** Tokens Vault would refuse (revoked behind our back). */
  invalid: Set<string>;
}

/**
 * TokenOperations over an in-memory token table. `ttlSeconds` is what logins grant; `maxTtlSeconds`
 * caps renewals the way a token's max TTL does.
 */
export function fakeOperations(
  options: {
    ttlSeconds?: number;
    renewable?: boolean;
    maxTtlSeconds?: number;
    clock?: FakeClock;
    login?: () => Promise<void>;
    failRenewal?: () => VaultError | undefined;
  } = {},
): { ops: TokenOperations; state: FakeVaultState } {
  const state: FakeVaultState = { logins: 0, renewals: 0, lookups: 0, revoked: [], invalid: new Set() };
  const ttl = options.ttlSeconds ?? 3600;
  const issuedAt = new Map<string, number>();
  const grant = (token: string, ttlSeconds: number): TokenGrant => ({
    token,
    accessor: `accessor-${token}`,
    ttlSeconds,
    renewable: options.renewable ?? true,
    policies: ["default", "keyport"],
  });
  const forbidden = () =>
    new VaultError({ reason: "PermissionDenied", status: 403, errors: ["permission denied"] });
  const ops: TokenOperations = {
    async authenticate() {
      await options.login?.();
      state.logins++;
      const token = `token-${state.logins}`;
      issuedAt.set(token, options.clock?.now() ?? 0);
      return grant(token, ttl);
    },
    async lookup(token) {
      state.lookups++;
      if (state.invalid.has(token) || state.revoked.includes(token)) throw forbidden();
      return { ...grant(token, ttl), creationTtlSeconds: ttl };
    },
    async renew(token, increment) {
      if (state.invalid.has(token) || state.revoked.includes(token)) throw forbidden();
      const failure = options.failRenewal?.();
      if (failure !== undefined) throw failure;
      state.renewals++;
      let granted = increment ?? ttl;
      if (options.maxTtlSeconds !== undefined && options.clock !== undefined) {
        const age = (options.clock.now() - (issuedAt.get(token) ?? 0)) / 1000;
        granted = Math.max(0, Math.min(granted, Math.floor(options.maxTtlSeconds - age)));
      }
      return grant(token, granted);
    },
    async revoke(token) {
      state.revoked.push(token);
    },
  };
  return { ops, state };
}

export function fakeAuth(method: AuthStrategy["method"] = "kubernetes", ownsToken = true): AuthStrategy {
  return {
    method,
    mount: method === "token" ? undefined : method,
    namespace: undefined,
    ownsToken,
    authenticate: () => Promise.reject(new Error("fakeAuth: use fakeOperations")),
  };
}
