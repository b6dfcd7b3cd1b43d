// When a failed Vault request is worth sending again, and how long to wait first. Pure, so the
// policy is unit-tested without a server. Retries are few and short on purpose: the controller's
// per-object backoff (5 s … 60 s) is the real retry loop; this only smooths over a blip.

export interface RetryPolicy {
  /** Attempts after the first. Vault's own client defaults to 2. */
  maxRetries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, minDelayMs: 500, maxDelayMs: 1500 };

export const noRetries: RetryPolicy = { maxRetries: 0, minDelayMs: 0, maxDelayMs: 0 };

/**
 * Statuses that say "try again later" rather than "this request is wrong": rate limits, 412
 * (a performance standby not yet caught up) and 5xx except 501 (not implemented will stay so).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 412 || (status >= 500 && status !== 501);
}

/**
 * Delay before retry number `attempt` (0-based): exponential from minDelayMs, capped at
 * maxDelayMs, with jitter in the upper half so that many clients do not retry in lockstep. A
 * Retry-After from Vault (seconds) wins when longer, still capped.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
  retryAfterSeconds?: number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const requested = retryAfterSeconds === undefined ? 0 : retryAfterSeconds * 1000;
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, requested)));
}

/** Parses a Retry-After header given in seconds; HTTP dates are ignored (Vault sends seconds). */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
