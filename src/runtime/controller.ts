// The controller loop: N workers take keys from the work queue and reconcile them; what the
// reconcile returns decides when the key comes back.
//
//   requeueAfter(ms) → the scheduler re-adds the key then (replacing any earlier deadline)
//   awaitChange()    → no deadline; the key waits for an enqueue (a watch event)
//   thrown error     → retryable: per-key exponential backoff (or the error's own retryAfterMs);
//                      not retryable: no deadline, like awaitChange — retrying cannot help
//
// Success of either kind forgets the key's backoff. Nothing here knows what a key means.
import type { Action } from "./action.ts";
import { type Clock, systemClock, type Timer } from "./clock.ts";
import { classifyError, type ReconcileError } from "./errors.ts";
import { type BackoffOptions, KeyedBackoff } from "./rate-limiter.ts";
import { Scheduler } from "./scheduler.ts";
import { WorkQueue, type WorkQueueMetrics } from "./workqueue.ts";

/**
 * Brings the world in line with the object named by `key` and says when to look again.
 * Must be idempotent: it runs again after restarts, failures and unrelated wake-ups.
 * `signal` aborts when the controller stops (shutdown, lost leadership): pass it to I/O.
 */
export type Reconciler = (key: string, signal: AbortSignal) => Promise<Action>;

/** controller-runtime's controller_runtime_reconcile_total result label values. */
export type ReconcileResult = "success" | "requeue_after" | "error";

export interface ControllerOptions {
  /** For logs and metric labels (controller-runtime's `controller` label). */
  name: string;
  reconcile: Reconciler;
  /** Keys reconciled at once (VSO: --max-concurrent-reconciles, 100 for secret kinds). */
  concurrency?: number;
  clock?: Clock;
  backoff?: BackoffOptions;
  queueMetrics?: WorkQueueMetrics;
  /** Turns a thrown value into a ReconcileError; defaults to classifyError. */
  classify?: (error: unknown) => ReconcileError;
  /**
   * Every failed reconcile, with when it will be retried (undefined: not until a change).
   * The place to log, count by reason, and (for the caller) emit a Warning Event.
   */
  onError?: (key: string, error: ReconcileError, retryInMs: number | undefined) => void;
  /** Every finished reconcile, for controller_runtime_reconcile_total/_time_seconds. */
  onReconciled?: (key: string, result: ReconcileResult, durationMs: number) => void;
  /** A hook above threw; the controller carries on. */
  onHookError?: (error: unknown) => void;
}

export interface StopResult {
  /** Whether every in-flight reconcile finished before the timeout. */
  finished: boolean;
  /** Keys whose reconcile was still running when the timeout passed. */
  abandoned: string[];
}

export class Controller {
  readonly name: string;
  readonly #reconcile: Reconciler;
  readonly #concurrency: number;
  readonly #clock: Clock;
  readonly #classify: (error: unknown) => ReconcileError;
  readonly #onError: ControllerOptions["onError"];
  readonly #onReconciled: ControllerOptions["onReconciled"];
  readonly #onHookError: (error: unknown) => void;
  readonly #queue: WorkQueue;
  readonly #scheduler: Scheduler;
  readonly #backoff: KeyedBackoff;
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<string>();
  /** Delayed triggers that arrived while their key was reconciling (see enqueueAfter). */
  readonly #triggeredDuringRun = new Map<string, number>();
  #workers: Promise<void>[] = [];
  #started = false;
  #stopping: Promise<StopResult> | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#reconcile = options.reconcile;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.#clock = options.clock ?? systemClock;
    this.#classify = options.classify ?? ((error) => classifyError(error));
    this.#onError = options.onError;
    this.#onReconciled = options.onReconciled;
    this.#onHookError = options.onHookError ?? (() => {});
    this.#queue = new WorkQueue({
      clock: this.#clock,
      ...(options.queueMetrics === undefined ? {} : { metrics: options.queueMetrics }),
    });
    this.#scheduler = new Scheduler((key) => this.#queue.add(key), {
      clock: this.#clock,
      onCallbackError: (_key, error) => this.#onHookError(error),
    });
    this.#backoff = new KeyedBackoff(options.backoff);
  }

  /**
   * Starts the workers. Keys enqueued before start() wait for it, so event handlers can be wired
   * (and caches filled) before this replica becomes leader. A controller runs once: after stop(),
   * make a new one.
   */
  start(): void {
    if (this.#stopping !== undefined)
      throw new Error(`controller ${this.name} was stopped; create a new one`);
    if (this.#started) return;
    this.#started = true;
    for (let i = 0; i < this.#concurrency; i++) this.#workers.push(this.#work());
  }

  /** Reconcile `key` as soon as a worker is free (at most once more if it is running now). */
  enqueue(key: string): void {
    this.#queue.add(key);
  }

  /**
   * Reconcile `key` no later than `delayMs` from now — for event handlers that spread bursts
   * with jitter. Unlike a reconcile's own requeue it never postpones an earlier deadline, and a
   * trigger arriving while the key is reconciling survives that reconcile's result.
   */
  enqueueAfter(key: string, delayMs: number): void {
    if (this.#stopping !== undefined) return;
    if (delayMs <= 0) {
      this.enqueue(key);
      return;
    }
    const dueAt = this.#clock.now() + delayMs;
    this.#scheduler.scheduleSooner(key, dueAt);
    if (this.#inFlight.has(key)) {
      const earlier = this.#triggeredDuringRun.get(key);
      if (earlier === undefined || dueAt < earlier) this.#triggeredDuringRun.set(key, dueAt);
    }
  }

  /**
   * Stops taking work, aborts the signal given to running reconciles, and waits up to
   * `timeoutMs` for them to return. Keys still queued or scheduled are dropped: whoever runs
   * next (this process after restart, or the new leader) reconciles every object afresh.
   */
  stop(options: { timeoutMs?: number } = {}): Promise<StopResult> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? 30_000);
    return this.#stopping;
  }

  /** Keys waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Keys being reconciled now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Keys with a pending deadline (requeue or backoff). */
  get scheduled(): number {
    return this.#scheduler.size;
  }

  /** When `key` is next due by deadline, if it has one (clock milliseconds). */
  dueAt(key: string): number | undefined {
    return this.#scheduler.dueAt(key);
  }

  /** Consecutive failures of `key` (0 once it succeeds). */
  failures(key: string): number {
    return this.#backoff.failures(key);
  }

  /** In-flight reconcile durations, for the unfinished-work gauges. */
  unfinishedWork(): { totalMs: number; longestMs: number } {
    return this.#queue.unfinishedWork();
  }

  async #stop(timeoutMs: number): Promise<StopResult> {
    this.#scheduler.stop();
    const drained = this.#queue.shutdown();
    this.#abort.abort();
    let timer: Timer | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = this.#clock.setTimer(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([drained.then(() => true as const), timedOut]);
    timer?.cancel();
    if (finished) await Promise.all(this.#workers);
    return { finished, abandoned: finished ? [] : [...this.#inFlight] };
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      this.#inFlight.add(key);
      try {
        await this.#process(key);
      } finally {
        this.#inFlight.delete(key);
        this.#triggeredDuringRun.delete(key);
        this.#queue.done(key);
      }
    }
  }

  async #process(key: string): Promise<void> {
    const signal = this.#abort.signal;
    const started = this.#clock.now();
    let action: Action;
    try {
      action = await this.#reconcile(key, signal);
      if (action?.kind !== "requeue" && action?.kind !== "awaitChange") {
        throw new TypeError(`reconcile of ${key} returned ${JSON.stringify(action)}, not an Action`);
      }
    } catch (thrown) {
      // Work cut short by stop() is not a failure: nothing will retry it in this process, and
      // whatever a request failed with once its signal aborted says nothing about the object.
      if (signal.aborted) return;
      this.#failed(key, this.#classify(thrown), started);
      return;
    }
    this.#backoff.forget(key);
    if (action.kind === "requeue") {
      this.#scheduler.schedule(key, this.#clock.now() + action.afterMs);
    } else {
      // Whatever deadline an earlier reconcile set is superseded by this one's verdict.
      this.#scheduler.cancel(key);
    }
    this.#restoreTriggers(key);
    this.#hook(() =>
      this.#onReconciled?.(
        key,
        action.kind === "requeue" ? "requeue_after" : "success",
        this.#clock.now() - started,
      ),
    );
  }

  #failed(key: string, error: ReconcileError, started: number): void {
    let retryInMs: number | undefined;
    if (error.retryable) {
      retryInMs = error.retryAfterMs ?? this.#backoff.next(key);
      this.#scheduler.schedule(key, this.#clock.now() + retryInMs);
    } else {
      this.#backoff.forget(key);
      this.#scheduler.cancel(key);
    }
    this.#restoreTriggers(key);
    this.#hook(() => this.#onReconciled?.(key, "error", this.#clock.now() - started));
    this.#hook(() => this.#onError?.(key, error, retryInMs));
  }

  /** A delayed trigger that arrived mid-reconcile may concern state that reconcile did not see. */
  #restoreTriggers(key: string): void {
    const dueAt = this.#triggeredDuringRun.get(key);
    if (dueAt !== undefined) this.#scheduler.scheduleSooner(key, dueAt);
  }

  #hook(call: () => void): void {
    try {
      call();
    } catch (error) {
      try {
        this.#onHookError(error);
      } catch {
        // A broken error hook must not take a worker down with it.
      }
    }
  }
}
