// Per-key exponential backoff for failed reconciles, with VSO's defaults and arithmetic
// (cenkalti/backoff, as VSO's backoff registry uses it): the interval starts at `initialMs`, grows
// by `multiplier` after every failure up to `maxMs`, and each delay handed out is that interval
// randomized by ±`randomizationFactor`. Unlike VSO, whose cap bounds the interval before the
// jitter (so a delay can reach 90 s), the cap also bounds the delay: with the defaults delays lie
// between 2.5–7.5 s at first and 30–60 s at the cap, and no retry waits longer than `maxMs`.

export interface BackoffOptions {
  /** First interval. VSO: 5 s (--backoff-initial-interval). */
  initialMs?: number;
  /** Growth per failure; must be ≥ 1. VSO: 1.5 (--backoff-multiplier). */
  multiplier?: number;
  /** Cap on the interval. VSO: 60 s (--backoff-max-interval). */
  maxMs?: number;
  /** Jitter: a delay is uniform in interval × [1 − f, 1 + f]. VSO: 0.5 (--backoff-randomization-factor). */
  randomizationFactor?: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
}

export const vsoBackoffDefaults = {
  initialMs: 5_000,
  multiplier: 1.5,
  maxMs: 60_000,
  randomizationFactor: 0.5,
} as const;

export class KeyedBackoff {
  readonly #initialMs: number;
  readonly #multiplier: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #random: () => number;
  /** Only failing keys are held: a success forgets the key, so memory follows the error count. */
  readonly #intervals = new Map<string, { intervalMs: number; failures: number }>();

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? vsoBackoffDefaults.initialMs;
    this.#multiplier = options.multiplier ?? vsoBackoffDefaults.multiplier;
    this.#maxMs = options.maxMs ?? vsoBackoffDefaults.maxMs;
    this.#factor = options.randomizationFactor ?? vsoBackoffDefaults.randomizationFactor;
    this.#random = options.random ?? Math.random;
    if (!(this.#initialMs > 0)) throw new RangeError("backoff initial interval must be > 0");
    if (!(this.#multiplier >= 1)) throw new RangeError("backoff multiplier must be ≥ 1");
    if (!(this.#maxMs >= this.#initialMs)) throw new RangeError("backoff max interval must be ≥ initial");
    if (!(this.#factor >= 0 && this.#factor < 1))
      throw new RangeError("backoff randomization must be in [0, 1)");
  }

  /** Records a failure of `key` and returns how long to wait before retrying it. */
  next(key: string): number {
    const state = this.#intervals.get(key) ?? { intervalMs: this.#initialMs, failures: 0 };
    const delay = Math.min(this.#randomize(state.intervalMs), this.#maxMs);
    state.failures += 1;
    state.intervalMs =
      state.intervalMs >= this.#maxMs / this.#multiplier ? this.#maxMs : state.intervalMs * this.#multiplier;
    this.#intervals.set(key, state);
    return delay;
  }

  /** Consecutive failures of `key` since it was last forgotten. */
  failures(key: string): number {
    return this.#intervals.get(key)?.failures ?? 0;
  }

  /** Called on success: the next failure starts again at the initial interval. */
  forget(key: string): void {
    this.#intervals.delete(key);
  }

  /** Number of keys currently backing off. */
  get size(): number {
    return this.#intervals.size;
  }

  #randomize(intervalMs: number): number {
    const delta = this.#factor * intervalMs;
    return Math.round(intervalMs - delta + this.#random() * 2 * delta);
  }
}
