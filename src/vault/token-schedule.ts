// When a token needs attention, as pure functions of what Vault told us and when. The lifecycle
// (token.ts) only arms a timer for the plan; these decide it, and unit tests check them.

/** Renew at two thirds of the TTL, as Vault's own LifetimeWatcher does. */
export const renewFraction = 2 / 3;

export interface TokenTiming {
  /** When the current TTL was granted (login, lookup or renewal), ms since the epoch. */
  grantedAtMs: number;
  /** Seconds from grantedAtMs; 0 means the token never expires. */
  ttlSeconds: number;
  renewable: boolean;
  /**
   * The TTL the login granted: the increment every renewal asks for. A renewal that grants less
   * has hit the token's max TTL, so further renewals cannot keep it alive.
   */
  loginTtlSeconds: number;
}

export type TokenPlan = { action: "none" } | { action: "renew" | "login"; atMs: number };

/** The next thing to do for a token, and when. */
export function planTokenRefresh(timing: TokenTiming): TokenPlan {
  if (timing.ttlSeconds <= 0) return { action: "none" };
  const atMs = timing.grantedAtMs + Math.floor(timing.ttlSeconds * 1000 * renewFraction);
  return { action: canStillRenew(timing) ? "renew" : "login", atMs };
}

function canStillRenew(timing: TokenTiming): boolean {
  // One second of slack: Vault computes TTLs from its own clock and may round down.
  return timing.renewable && timing.ttlSeconds + 1 >= timing.loginTtlSeconds;
}

export function expiresAtMs(timing: TokenTiming): number | undefined {
  return timing.ttlSeconds <= 0 ? undefined : timing.grantedAtMs + timing.ttlSeconds * 1000;
}

/**
 * Whether the token can still be sent. A margin of a tenth of the TTL, at most ten seconds, keeps
 * a request from leaving with a token that expires before Vault reads it.
 */
export function isUsable(timing: TokenTiming, nowMs: number): boolean {
  const expires = expiresAtMs(timing);
  if (expires === undefined) return true;
  const marginMs = Math.min(10_000, timing.ttlSeconds * 100);
  return nowMs < expires - marginMs;
}

/** Wait before retrying a failed background login: 5 s, ×1.5, at most 60 s (VSO's backoff defaults). */
export function loginRetryDelayMs(failures: number): number {
  return Math.min(60_000, Math.round(5_000 * 1.5 ** Math.max(0, failures - 1)));
}
