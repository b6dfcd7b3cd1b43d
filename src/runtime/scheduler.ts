// One timer structure for every delayed re-add: refresh intervals, lease and certificate renewals,
// error backoff. Deadlines sit in a binary min-heap (with each key's heap position indexed, so
// rescheduling and cancelling are O(log n)), and a single timer is armed for the earliest one —
// ten thousand pending keys cost one setTimeout, not ten thousand.
import { type Clock, systemClock, type Timer } from "./clock.ts";

interface Entry {
  key: string;
  dueAt: number;
  /** Insertion order: keys due at the same instant fire first-in, first-out. */
  seq: number;
  index: number;
}

export interface SchedulerOptions {
  clock?: Clock;
  /** Called when a due key's callback throws; the scheduler carries on with the other keys. */
  onCallbackError?: (key: string, error: unknown) => void;
}

export class Scheduler {
  readonly #onDue: (key: string) => void;
  readonly #clock: Clock;
  readonly #onCallbackError: (key: string, error: unknown) => void;
  readonly #heap: Entry[] = [];
  readonly #entries = new Map<string, Entry>();
  #seq = 0;
  #timer: Timer | undefined;
  #armedFor: number | undefined;
  #stopped = false;

  /** `onDue(key)` runs once per deadline that is reached (typically: add the key to a work queue). */
  constructor(onDue: (key: string) => void, options: SchedulerOptions = {}) {
    this.#onDue = onDue;
    this.#clock = options.clock ?? systemClock;
    this.#onCallbackError = options.onCallbackError ?? (() => {});
  }

  /**
   * Sets `key`'s deadline to `dueAt` (clock milliseconds), replacing any earlier or later one.
   *
   * The latest call wins, deliberately: a reconcile computes the next refresh or renewal from the
   * state it just read, so its deadline supersedes whatever a previous reconcile computed — even
   * a sooner one, which would only cause a redundant reconcile, and a later one is never stale
   * because the reconcile that set it saw newer state. Callers that merely want "no later than"
   * (event handlers adding with jitter) use {@link scheduleSooner}.
   */
  schedule(key: string, dueAt: number): void {
    if (this.#stopped) return;
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#insert(key, dueAt);
    } else {
      entry.dueAt = dueAt;
      entry.seq = this.#seq++;
      this.#fix(entry.index);
    }
    this.#arm();
  }

  /** Moves `key`'s deadline to `dueAt` only if that is sooner than its current one (or it has none). */
  scheduleSooner(key: string, dueAt: number): void {
    const current = this.#entries.get(key)?.dueAt;
    if (current === undefined || dueAt < current) this.schedule(key, dueAt);
  }

  /** Forgets `key`'s deadline; returns whether it had one. */
  cancel(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#removeAt(entry.index);
    this.#arm();
    return true;
  }

  /** The deadline of `key`, if it has one. */
  dueAt(key: string): number | undefined {
    return this.#entries.get(key)?.dueAt;
  }

  /** The earliest pending deadline. */
  nextDueAt(): number | undefined {
    return this.#heap[0]?.dueAt;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops every deadline and the timer; later schedule() calls are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedFor = undefined;
    this.#heap.length = 0;
    this.#entries.clear();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = undefined;
    const now = this.#clock.now();
    const due: string[] = [];
    for (let head = this.#heap[0]; head !== undefined && head.dueAt <= now; head = this.#heap[0]) {
      due.push(head.key);
      this.#removeAt(0);
    }
    // Re-arm before the callbacks run, so a callback that schedules again sees a consistent timer.
    this.#arm();
    for (const key of due) {
      try {
        this.#onDue(key);
      } catch (error) {
        this.#onCallbackError(key, error);
      }
    }
  }

  #arm(): void {
    const head = this.#heap[0];
    if (head === undefined) {
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#armedFor = undefined;
      return;
    }
    if (this.#armedFor === head.dueAt) return;
    this.#timer?.cancel();
    this.#armedFor = head.dueAt;
    // A timer that wakes early (clock adjustments, the ~24.8-day setTimeout limit) finds nothing
    // due and simply re-arms.
    this.#timer = this.#clock.setTimer(() => this.#fire(), head.dueAt - this.#clock.now());
  }

  #insert(key: string, dueAt: number): void {
    const entry: Entry = { key, dueAt, seq: this.#seq++, index: this.#heap.length };
    this.#heap.push(entry);
    this.#entries.set(key, entry);
    this.#up(entry.index);
  }

  #removeAt(index: number): void {
    const entry = this.#heap[index];
    const last = this.#heap.pop();
    if (entry === undefined || last === undefined) return;
    this.#entries.delete(entry.key);
    if (last !== entry) {
      this.#heap[index] = last;
      last.index = index;
      this.#fix(index);
    }
  }

  #fix(index: number): void {
    if (!this.#up(index)) this.#down(index);
  }

  #less(a: Entry, b: Entry): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const a = this.#heap[i] as Entry;
    const b = this.#heap[j] as Entry;
    this.#heap[i] = b;
    this.#heap[j] = a;
    a.index = j;
    b.index = i;
  }

  /** Returns whether the entry moved. */
  #up(index: number): boolean {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#heap[i] as Entry, this.#heap[parent] as Entry)) break;
      this.#swap(i, parent);
      i = parent;
    }
    return i !== index;
  }

  #down(index: number): void {
    let i = index;
    const n = this.#heap.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.#less(this.#heap[left] as Entry, this.#heap[smallest] as Entry)) smallest = left;
      if (right < n && this.#less(this.#heap[right] as Entry, this.#heap[smallest] as Entry))
        smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }
}

// Jitter helpers. Spreading deadlines keeps thousands of objects created together (a Helm
// install, an operator restart) from refreshing in lockstep forever.

/** Uniform in [ms·(1 − factor), ms·(1 + factor)]: symmetric jitter, as the error backoff uses. */
export function jitter(ms: number, factor: number, random: () => number = Math.random): number {
  return ms * (1 - factor) + random() * 2 * factor * ms;
}

/** Uniform in [ms, ms·(1 + maxFactor)): only ever later (client-go's wait.Jitter). */
export function jitterUp(ms: number, maxFactor: number, random: () => number = Math.random): number {
  return ms + random() * maxFactor * ms;
}

/**
 * Uniform in [minMs, maxMs). VSO's refresh horizon, for example, is randomBetween(0.8·d, 0.9·d):
 * it renews a little early rather than a little late.
 */
export function randomBetween(minMs: number, maxMs: number, random: () => number = Math.random): number {
  return minMs + random() * (maxMs - minMs);
}
