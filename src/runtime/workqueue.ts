// The work queue holds keys, never events or object snapshots: reconcile reads the current state,
// so all that matters is *which* keys need attention. Its guarantees (client-go's workqueue,
// kube-rs's Runner):
// - a key waiting in the queue is held once, however many times it is added;
// - a key is handed to one worker at a time;
// - a key added while a worker holds it is handed out once more after done(), so a change that
//   raced with a reconcile is never lost.
import { type Clock, systemClock } from "./clock.ts";

/**
 * Hooks for queue metrics; observability adapts them to prom-client (controller-runtime's
 * workqueue_* names). Durations are in milliseconds.
 */
export interface WorkQueueMetrics {
  /** Keys waiting to be handed out, after every change. */
  depth?(depth: number): void;
  /** A new key entered the queue (duplicates of a waiting key are not counted). */
  added?(): void;
  /** From a key's first add until a worker got it. */
  queueLatency?(ms: number): void;
  /** From a worker getting a key until done(). */
  workDuration?(ms: number): void;
}

export interface WorkQueueOptions {
  clock?: Clock;
  metrics?: WorkQueueMetrics;
}

export class WorkQueue {
  readonly #clock: Clock;
  readonly #metrics: WorkQueueMetrics;
  /** FIFO of keys ready to hand out; `#head` avoids O(n) shifts on long queues. */
  #order: string[] = [];
  #head = 0;
  /** Keys that need processing: queued, or re-added while in flight. Value: time of first add. */
  readonly #dirty = new Map<string, number>();
  /** Keys held by a worker. Value: time the worker got it. */
  readonly #processing = new Map<string, number>();
  readonly #waiters: Array<(key: string | undefined) => void> = [];
  #shuttingDown = false;
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#metrics = options.metrics ?? {};
  }

  /** Marks `key` as needing work. Ignored after shutdown(). */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.set(key, this.#clock.now());
    this.#metrics.added?.();
    // An in-flight key goes back in the queue from done(), not now: one worker per key.
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /**
   * Waits for a key and hands it to the caller, who must call done(key) when finished.
   * Resolves to undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Releases `key`; if it was added again meanwhile, it is queued once more. */
  done(key: string): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#metrics.workDuration?.(this.#clock.now() - startedAt);
    if (this.#dirty.has(key) && !this.#shuttingDown) {
      this.#push(key);
    } else if (this.#shuttingDown && this.#processing.size === 0) {
      this.#resolveDrained?.();
    }
  }

  /**
   * Stops the queue: further adds are ignored, waiting workers get undefined, and keys not yet
   * handed out are dropped — after a restart or a leadership change every key is reconciled
   * afresh from the caches, so finishing a backlog on the way out would only delay the
   * hand-over. Resolves when every key already handed out has been released with done().
   */
  shutdown(): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      this.#order = [];
      this.#head = 0;
      this.#dirty.clear();
      this.#metrics.depth?.(0);
      for (const waiter of this.#waiters.splice(0)) waiter(undefined);
      this.#drained = new Promise((resolve) => {
        this.#resolveDrained = resolve;
      });
      if (this.#processing.size === 0) this.#resolveDrained?.();
    }
    return this.#drained ?? Promise.resolve();
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.#order.length - this.#head;
  }

  /** Keys currently held by workers. */
  get inFlight(): number {
    return this.#processing.size;
  }

  /** Whether `key` is waiting or held (for tests and diagnostics). */
  has(key: string): boolean {
    return this.#dirty.has(key) || this.#processing.has(key);
  }

  /**
   * How long the keys now in flight have been running, for controller-runtime's
   * workqueue_unfinished_work_seconds and workqueue_longest_running_processor_seconds gauges.
   */
  unfinishedWork(): { totalMs: number; longestMs: number } {
    const now = this.#clock.now();
    let totalMs = 0;
    let longestMs = 0;
    for (const startedAt of this.#processing.values()) {
      const ms = now - startedAt;
      totalMs += ms;
      longestMs = Math.max(longestMs, ms);
    }
    return { totalMs, longestMs };
  }

  #push(key: string): void {
    this.#order.push(key);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter(this.#take());
    } else {
      this.#metrics.depth?.(this.length);
    }
  }

  #take(): string | undefined {
    if (this.#head >= this.#order.length) return undefined;
    const key = this.#order[this.#head] as string;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    const now = this.#clock.now();
    const addedAt = this.#dirty.get(key) ?? now;
    this.#dirty.delete(key);
    this.#processing.set(key, now);
    this.#metrics.queueLatency?.(now - addedAt);
    this.#metrics.depth?.(this.length);
    return key;
  }
}
