// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection
// package: only the leader reconciles, the others stand by with warm caches.
//
// - A candidate takes the Lease when it has no holder, or when the holder has not renewed for
//   leaseDuration as measured on *our* clock since we last saw the record change — no reliance
//   on clocks agreeing across nodes.
// - The leader renews every retryPeriod; if it cannot renew for renewDeadline it steps down
//   (its signal aborts) before the lease can expire and someone else takes over.
// - On stop() the leader steps down first (awaiting onStoppedLeading, so controllers finish
//   before anyone else starts), then releases the Lease (empty holder, leaseDurationSeconds 1)
//   so a standby takes over within a retry period instead of a whole lease duration.
// - After losing the lease the elector campaigns again; onStartedLeading then gets a new
//   signal, so callers build fresh controllers for each term.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Clock, sleep, systemClock } from "../runtime/clock.ts";
import { jitterUp } from "../runtime/scheduler.ts";
import type { KubeClient } from "./client.ts";
import { isAlreadyExists, isConflict } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import { create, getObject, update } from "./patch.ts";
import { leases } from "./resource.ts";

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions {
  client: KubeClient;
  namespace: string;
  /** The Lease's name (VSO: b0d477c0.hashicorp.com; pick another to never co-lead with VSO). */
  name: string;
  /** Unique per replica; default hostname + "_" + a random UUID, as controller-runtime. */
  identity?: string | undefined;
  /** How long a Lease stays valid without renewal (default 15 s). */
  leaseDurationMs?: number | undefined;
  /** How long the leader keeps trying to renew before stepping down (default 10 s). */
  renewDeadlineMs?: number | undefined;
  /** Pause between attempts to acquire or renew (default 2 s). */
  retryPeriodMs?: number | undefined;
  /** Hand the Lease over on stop() (default true). */
  releaseOnStop?: boolean | undefined;
  clock?: Clock | undefined;
  /** Became leader: start controllers; `signal` aborts when this term ends. */
  onStartedLeading?: ((signal: AbortSignal) => void) | undefined;
  /** This term ended (lost, or stopping): stop controllers. Awaited before the Lease is released. */
  onStoppedLeading?: (() => void | Promise<void>) | undefined;
  /** Saw a different holder (including ourselves). */
  onNewLeader?: ((identity: string) => void) | undefined;
  /** A Lease request failed; the elector retries. */
  onError?: ((error: unknown) => void) | undefined;
}

export class LeaderElector {
  readonly identity: string;
  readonly #client: KubeClient;
  readonly #ref: { namespace: string; name: string };
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #releaseOnStop: boolean;
  readonly #clock: Clock;
  readonly #callbacks: Pick<
    LeaderElectorOptions,
    "onStartedLeading" | "onStoppedLeading" | "onNewLeader" | "onError"
  >;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  /** The last Lease we read or wrote, and when (our clock) its content last changed. */
  #observed: { lease: Lease; at: number } | undefined;
  #leader: string | undefined;
  #term: { signal: AbortController; renewedAt: number } | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#client = options.client;
    this.#ref = { namespace: options.namespace, name: options.name };
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs))
      throw new RangeError("leaseDuration must exceed renewDeadline");
    if (!(this.#renewDeadlineMs > this.#retryPeriodMs))
      throw new RangeError("renewDeadline must exceed retryPeriod");
    this.#releaseOnStop = options.releaseOnStop ?? true;
    this.#clock = options.clock ?? systemClock;
    this.#callbacks = options;
  }

  start(): void {
    if (this.#abort.signal.aborted) throw new Error("leader elector was stopped; create a new one");
    this.#running ??= this.#run();
  }

  /** Steps down (if leading), releases the Lease, and stops campaigning. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  /** True while this replica holds the Lease and has renewed it within renewDeadline. */
  isLeader(): boolean {
    return this.#term !== undefined && this.#clock.now() - this.#term.renewedAt < this.#renewDeadlineMs;
  }

  /** True once some replica (perhaps this one) is known to hold an unexpired Lease: for readiness. */
  leaderKnown(): boolean {
    return this.#leader !== undefined;
  }

  /** The current holder as last observed. */
  get leader(): string | undefined {
    return this.#leader;
  }

  async #run(): Promise<void> {
    const stopping = this.#abort.signal;
    while (!stopping.aborted) {
      if (!(await this.#acquire(stopping))) break;
      await this.#renew(stopping);
      await this.#stepDown();
    }
    if (this.#releaseOnStop) await this.#release();
  }

  /** Campaigns until this replica leads (true) or the elector stops (false). */
  async #acquire(stopping: AbortSignal): Promise<boolean> {
    for (;;) {
      if (await this.#tryAcquireOrRenew(stopping, this.#renewDeadlineMs)) {
        const signal = new AbortController();
        this.#term = { signal, renewedAt: this.#clock.now() };
        this.#call(() => this.#callbacks.onStartedLeading?.(signal.signal));
        return true;
      }
      try {
        await sleep(this.#clock, jitterUp(this.#retryPeriodMs, 1.2), stopping);
      } catch {
        return false;
      }
    }
  }

  /** Renews until the deadline passes without success, the Lease is lost, or stop(). */
  async #renew(stopping: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await sleep(this.#clock, this.#retryPeriodMs, stopping);
      } catch {
        return;
      }
      for (;;) {
        const term = this.#term;
        if (term === undefined) return;
        const left = this.#renewDeadlineMs - (this.#clock.now() - term.renewedAt);
        if (left <= 0) return;
        if (await this.#tryAcquireOrRenew(stopping, left)) {
          term.renewedAt = this.#clock.now();
          break;
        }
        if (stopping.aborted || this.#leader !== this.identity) return;
        try {
          await sleep(this.#clock, Math.min(this.#retryPeriodMs, left), stopping);
        } catch {
          return;
        }
      }
    }
  }

  async #stepDown(): Promise<void> {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    term.signal.abort();
    try {
      await this.#callbacks.onStoppedLeading?.();
    } catch (error) {
      this.#call(() => this.#callbacks.onError?.(error));
    }
  }

  /** One attempt to take or keep the Lease, bounded by `timeoutMs`. */
  async #tryAcquireOrRenew(stopping: AbortSignal, timeoutMs: number): Promise<boolean> {
    const options = { signal: stopping, timeoutMs: Math.max(1, Math.min(timeoutMs, this.#renewDeadlineMs)) };
    try {
      const now = this.#clock.now();
      const current = await getObject<Lease>(this.#client, leases, this.#ref, options);
      if (current === undefined) {
        const created = await create<Lease>(this.#client, leases, this.#lease(undefined, now), options);
        this.#observe(created, now);
        return true;
      }
      this.#observe(current, now);
      const spec = current.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const observedAt = this.#observed?.at ?? now;
      const validFor = (spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== "" && holder !== this.identity && observedAt + validFor > now) return false;
      const updated = await update<Lease>(this.#client, leases, this.#lease(current, now), options);
      this.#observe(updated, now);
      return true;
    } catch (error) {
      if (stopping.aborted) return false;
      // Losing a race to another candidate is the normal way to not become leader.
      if (!isConflict(error) && !isAlreadyExists(error)) this.#call(() => this.#callbacks.onError?.(error));
      return false;
    }
  }

  /** The Lease as this replica would write it, holding or taking it over. */
  #lease(current: Lease | undefined, now: number): Lease {
    const spec = current?.spec ?? {};
    const keeping = spec.holderIdentity === this.identity;
    return {
      apiVersion: leases.apiVersion,
      kind: leases.kind,
      metadata: {
        name: this.#ref.name,
        namespace: this.#ref.namespace,
        ...(current?.metadata?.resourceVersion === undefined
          ? {}
          : { resourceVersion: current.metadata.resourceVersion }),
      },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
        acquireTime: keeping && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: keeping ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? -1) + 1,
      },
    };
  }

  #observe(lease: Lease, now: number): void {
    const previous = this.#observed?.lease.spec;
    const spec = lease.spec ?? {};
    const changed =
      previous === undefined ||
      previous.holderIdentity !== spec.holderIdentity ||
      previous.renewTime !== spec.renewTime ||
      previous.leaseDurationSeconds !== spec.leaseDurationSeconds;
    this.#observed = { lease, at: changed ? now : (this.#observed?.at ?? now) };
    const holder = spec.holderIdentity || undefined;
    if (holder !== this.#leader) {
      this.#leader = holder;
      if (holder !== undefined) this.#call(() => this.#callbacks.onNewLeader?.(holder));
    }
  }

  /** Hands the Lease over: empty holder, 1 s duration, so a standby takes it at its next try. */
  async #release(): Promise<void> {
    if (this.#observed?.lease.spec?.holderIdentity !== this.identity) return;
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        await this.#releaseOnce();
        return;
      } catch (error) {
        // A renewal cut short by stop() may have landed anyway, leaving us a stale version:
        // reread once, and release only if the Lease is still ours.
        if (attempt === 1 && isConflict(error)) {
          const current = await getObject<Lease>(this.#client, leases, this.#ref, {
            timeoutMs: this.#renewDeadlineMs,
          }).catch(() => undefined);
          if (current?.spec?.holderIdentity === this.identity) {
            this.#observe(current, this.#clock.now());
            continue;
          }
          return;
        }
        // Someone else holds it, or the API is unreachable: it expires on its own.
        this.#call(() => this.#callbacks.onError?.(error));
        return;
      }
    }
  }

  async #releaseOnce(): Promise<void> {
    const observed = this.#observed?.lease;
    if (observed === undefined) return;
    const now = this.#clock.now();
    const released = await update<Lease>(
      this.#client,
      leases,
      {
        apiVersion: leases.apiVersion,
        kind: leases.kind,
        metadata: { ...this.#ref, resourceVersion: observed.metadata?.resourceVersion },
        spec: {
          holderIdentity: "",
          leaseDurationSeconds: 1,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: observed.spec?.leaseTransitions ?? 0,
        },
      },
      { timeoutMs: this.#renewDeadlineMs },
    );
    this.#observe(released, now);
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch {
      // Callbacks must not break the election loop.
    }
  }
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
