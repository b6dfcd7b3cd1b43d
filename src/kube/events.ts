// Kubernetes Events for the objects Keyport manages, written as core/v1 Events: that is what
// VSO's recorder writes and what `kubectl describe` and `kubectl get events` show (with
// `source.component` as "From" and `count` as "x5 over 3m").
//
// Repeats are aggregated the way client-go's EventCorrelator does it, so a flapping error costs
// one Event object, not thousands:
// - the same object, type, reason and message again → one Event, its count and lastTimestamp
//   patched;
// - more than 10 distinct messages for one object, type and reason within 10 minutes → further
//   ones fold into a single "(combined from similar events): …" Event;
// - each object gets a token bucket (25 at once, then one per 5 minutes) across all its Events;
//   beyond that, Events are dropped.
// Recording never throws: an Event is a courtesy, and losing one must never fail a reconcile.
import { hostname } from "node:os";
import { type Clock, systemClock } from "../runtime/clock.ts";
import type { KubeClient } from "./client.ts";
import { isNotFound } from "./errors.ts";
import type { KubeObject } from "./object.ts";
import { create, mergePatch } from "./patch.ts";
import { events as eventResource } from "./resource.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorderOptions {
  client: KubeClient;
  /** source.component and reportingComponent (default "keyport"). */
  reportingController?: string | undefined;
  /** reportingInstance: which replica (default the hostname, i.e. the pod name). */
  reportingInstance?: string | undefined;
  clock?: Clock | undefined;
  /** An Event could not be written; recording carries on. */
  onError?: ((error: unknown) => void) | undefined;
  /** Remembered Events, for aggregation (default 4096, as client-go). */
  cacheSize?: number | undefined;
  /** Per-object bucket: Events at once (default 25) and the refill interval (default 5 min). */
  spamBurst?: number | undefined;
  spamRefillMs?: number | undefined;
  /**
   * normal() and warning() return at once and write in the background (flush() waits for what is
   * in flight). A reconcile then waits for its own writes only: an Event was one of five
   * sequential API calls on every first sync.
   */
  background?: boolean | undefined;
  /** Distinct messages per object+type+reason before they are combined (default 10) … */
  similarMaxDistinct?: number | undefined;
  /** … within this window (default 10 min). */
  similarWindowMs?: number | undefined;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

interface Similar {
  since: number;
  messages: Set<string>;
}

interface Bucket {
  tokens: number;
  at: number;
}

const maxMessageLength = 1024;
const maxInstanceLength = 128;
const combinedPrefix = "(combined from similar events): ";

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #component: string;
  readonly #instance: string;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #cacheSize: number;
  readonly #spamBurst: number;
  readonly #spamRefillMs: number;
  readonly #similarMaxDistinct: number;
  readonly #similarWindowMs: number;
  /** Maps are kept in least-recently-used order and trimmed to cacheSize. */
  readonly #recorded = new Map<string, Recorded>();
  readonly #similar = new Map<string, Similar>();
  readonly #buckets = new Map<string, Bucket>();
  /** One write at a time per Event, so two quick repeats patch rather than both creating. */
  readonly #writing = new Map<string, Promise<void>>();
  #sequence = 0;
  readonly #background: boolean;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: EventRecorderOptions) {
    this.#client = options.client;
    this.#component = options.reportingController ?? "keyport";
    this.#instance = (options.reportingInstance ?? hostname()).slice(0, maxInstanceLength);
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => {});
    this.#cacheSize = options.cacheSize ?? 4096;
    this.#spamBurst = options.spamBurst ?? 25;
    this.#spamRefillMs = options.spamRefillMs ?? 300_000;
    this.#similarMaxDistinct = options.similarMaxDistinct ?? 10;
    this.#similarWindowMs = options.similarWindowMs ?? 600_000;
    this.#background = options.background ?? false;
  }

  normal(object: KubeObject, reason: string, message: string): Promise<void> {
    return this.#submit(this.record(object, "Normal", reason, message));
  }

  warning(object: KubeObject, reason: string, message: string): Promise<void> {
    return this.#submit(this.record(object, "Warning", reason, message));
  }

  /** Resolves when every Event recorded so far is written, aggregated or dropped. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #submit(recording: Promise<void>): Promise<void> {
    this.#inFlight.add(recording);
    void recording.finally(() => this.#inFlight.delete(recording));
    return this.#background ? Promise.resolve() : recording;
  }

  /**
   * Records an Event about `object` (which needs apiVersion, kind and metadata.name; its uid
   * lets `kubectl describe` match it exactly). Resolves when written, aggregated or dropped;
   * never rejects. `message` must not contain secret values.
   */
  async record(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    try {
      const involved = involvedObject(object);
      const objectKey = involved.uid || `${involved.kind}/${involved.namespace ?? ""}/${involved.name}`;
      if (!this.#allow(objectKey)) return;
      const { key, text } = this.#aggregate(`${objectKey}|${type}|${reason}`, message);
      const previous = this.#writing.get(key) ?? Promise.resolve();
      // A failed earlier write was already reported; it must not fail this one too.
      const write = previous.catch(() => {}).then(() => this.#write(key, involved, type, reason, text));
      this.#writing.set(key, write);
      try {
        await write;
      } finally {
        if (this.#writing.get(key) === write) this.#writing.delete(key);
      }
    } catch (error) {
      try {
        this.#onError(error);
      } catch {
        // Nothing more to do.
      }
    }
  }

  async #write(
    key: string,
    involved: InvolvedObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = timestamp(this.#clock.now());
    const seen = this.#touch(this.#recorded, key);
    if (seen !== undefined) {
      try {
        await mergePatch(
          this.#client,
          eventResource,
          { namespace: seen.namespace, name: seen.name },
          { count: seen.count + 1, lastTimestamp: now, message },
        );
        seen.count += 1;
        return;
      } catch (error) {
        // Events expire (the API server keeps them an hour by default): start a new one.
        if (!isNotFound(error)) throw error;
        this.#recorded.delete(key);
      }
    }
    const namespace = involved.namespace || "default";
    const name = this.#eventName(involved.name);
    await create(this.#client, eventResource, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#instance,
    });
    this.#remember(this.#recorded, key, { name, namespace, count: 1 });
  }

  /** The per-object token bucket. */
  #allow(objectKey: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#touch(this.#buckets, objectKey) ?? { tokens: this.#spamBurst, at: now };
    bucket.tokens = Math.min(this.#spamBurst, bucket.tokens + (now - bucket.at) / this.#spamRefillMs);
    bucket.at = now;
    this.#remember(this.#buckets, objectKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Decides which Event a message lands in: its own, or — once an object+type+reason has too
   * many distinct messages — one combined Event whose message follows the latest.
   */
  #aggregate(similarKey: string, message: string): { key: string; text: string } {
    const now = this.#clock.now();
    let similar = this.#touch(this.#similar, similarKey);
    if (similar === undefined || now - similar.since > this.#similarWindowMs) {
      similar = { since: now, messages: new Set() };
    }
    this.#remember(this.#similar, similarKey, similar);
    const text = truncate(message, maxMessageLength);
    if (!similar.messages.has(text) && similar.messages.size >= this.#similarMaxDistinct) {
      return { key: `${similarKey}|combined`, text: truncate(combinedPrefix + message, maxMessageLength) };
    }
    similar.messages.add(text);
    return { key: `${similarKey}|${text}`, text };
  }

  /** client-go's naming: the object's name and a unique hex suffix. */
  #eventName(objectName: string): string {
    const nanos = BigInt(this.#clock.now()) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    const suffix = `.${nanos.toString(16)}`;
    return objectName.slice(0, 253 - suffix.length) + suffix;
  }

  #touch<V>(map: Map<string, V>, key: string): V | undefined {
    const value = map.get(key);
    if (value !== undefined) {
      map.delete(key);
      map.set(key, value);
    }
    return value;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    while (map.size > this.#cacheSize) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }
}

interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

function involvedObject(object: KubeObject): InvolvedObject {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  if (!apiVersion || !kind || !name)
    throw new TypeError("an Event needs an object with apiVersion, kind and name");
  const namespace = object.metadata?.namespace;
  const uid = object.metadata?.uid;
  return {
    apiVersion,
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    ...(uid ? { uid } : {}),
  };
}

/** metav1.Time: RFC 3339 with whole seconds. */
function timestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
