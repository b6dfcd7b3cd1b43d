// Client-side request throttling (client-go's QPS/burst): a bucket of `burst` tokens refilled at
// `ratePerSecond`. Callers wait in FIFO order, and one timer serves the whole line.
import { type Clock, systemClock, type Timer } from "./clock.ts";

export interface TokenBucketOptions {
  /** Sustained rate; 0, negative or Infinity disables throttling. */
  ratePerSecond: number;
  /** Tokens available at once (at least 1). */
  burst: number;
  clock?: Clock;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  readonly #waiters: Waiter[] = [];
  #timer: Timer | undefined;

  constructor(options: TokenBucketOptions) {
    this.#rate =
      options.ratePerSecond > 0 && Number.isFinite(options.ratePerSecond) ? options.ratePerSecond : 0;
    this.#burst = Math.max(1, Math.floor(options.burst));
    this.#clock = options.clock ?? systemClock;
    this.#tokens = this.#burst;
    this.#refilledAt = this.#clock.now();
  }

  get unlimited(): boolean {
    return this.#rate === 0;
  }

  /** Waits for a token. Rejects with the signal's reason if it aborts while waiting. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.unlimited) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#refill();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason);
          this.#arm();
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#arm();
    });
  }

  /** Number of callers waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#refilledAt = now;
  }

  #arm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#waiters.length === 0) return;
    this.#refill();
    const waitMs = Math.max(0, Math.ceil(((1 - this.#tokens) * 1000) / this.#rate));
    this.#timer = this.#clock.setTimer(() => this.#release(), waitMs);
  }

  #release(): void {
    this.#timer = undefined;
    this.#refill();
    while (this.#tokens >= 1) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) break;
      this.#tokens -= 1;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve();
    }
    this.#arm();
  }
}
