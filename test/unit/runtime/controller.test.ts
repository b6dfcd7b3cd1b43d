import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Action, awaitChange, requeueAfter } from "../../../src/runtime/action.ts";
import { Controller, type ControllerOptions, type ReconcileResult } from "../../../src/runtime/controller.ts";
import { ReconcileError } from "../../../src/runtime/errors.ts";
import { FakeClock, settle } from "../../support/fake-clock.ts";

type Behaviour = (key: string, signal: AbortSignal) => Promise<Action> | Action;

/** A controller around a scripted reconcile, recording everything it is told. */
function harness(script: Behaviour, options: Partial<ControllerOptions> = {}) {
  const clock = new FakeClock();
  const start = clock.now();
  const calls: Array<{ key: string; at: number }> = [];
  const errors: Array<{
    key: string;
    reason: string;
    retryable: boolean;
    retryInMs: number | undefined;
    message: string;
  }> = [];
  const results: Array<{ key: string; result: ReconcileResult }> = [];
  const controller = new Controller({
    name: "test",
    clock,
    backoff: { random: () => 0.5 },
    reconcile: async (key, signal) => {
      calls.push({ key, at: clock.now() - start });
      return script(key, signal);
    },
    onError: (key, error, retryInMs) =>
      errors.push({
        key,
        reason: error.reason,
        retryable: error.retryable,
        retryInMs,
        message: error.message,
      }),
    onReconciled: (key, result) => results.push({ key, result }),
    ...options,
  });
  return { clock, controller, calls, errors, results, elapsed: () => clock.now() - start };
}

/** A promise the test resolves by hand, to hold a reconcile in flight. */
interface Gate {
  promise: Promise<Action>;
  open: (action: Action) => void;
}

function gate(): Gate {
  let open!: (action: Action) => void;
  const promise = new Promise<Action>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("Controller", () => {
  test("reconciles an enqueued key once and then waits for a change", async () => {
    const h = harness(() => awaitChange());
    h.controller.enqueue("kind/ns/a");
    h.controller.start();
    await h.clock.advance(3_600_000);
    assert.deepEqual(h.calls, [{ key: "kind/ns/a", at: 0 }]);
    assert.deepEqual(h.results, [{ key: "kind/ns/a", result: "success" }]);
    assert.equal(h.controller.scheduled, 0);
    await h.controller.stop();
  });

  test("requeueAfter brings the key back after exactly that delay", async () => {
    let runs = 0;
    const h = harness(() => (++runs < 3 ? requeueAfter(60_000) : awaitChange()));
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(59_999);
    assert.equal(h.calls.length, 1);
    await h.clock.advance(1_000_000);
    assert.deepEqual(
      h.calls.map((c) => c.at),
      [0, 60_000, 120_000],
    );
    assert.deepEqual(
      h.results.map((r) => r.result),
      ["requeue_after", "requeue_after", "success"],
    );
    await h.controller.stop();
  });

  test("failures back off exponentially with VSO's defaults and success resets the backoff", async () => {
    let runs = 0;
    const h = harness(() => {
      runs += 1;
      if (runs <= 3 || runs === 5) throw new ReconcileError("VaultClientError", "connection refused");
      return requeueAfter(1_000);
    });
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(5_000 + 7_500 + 11_250 - 1);
    assert.equal(h.calls.length, 3);
    assert.equal(h.controller.failures("k"), 3);
    await h.clock.advance(1);
    assert.equal(h.calls.length, 4, "fourth attempt succeeds");
    assert.equal(h.controller.failures("k"), 0);
    await h.clock.advance(1_000);
    assert.equal(h.calls.length, 5, "requeued after 1 s, then fails again");
    assert.deepEqual(
      h.errors.map((e) => e.retryInMs),
      [5_000, 7_500, 11_250, 5_000],
      "the backoff restarted at 5 s after the success",
    );
    assert.ok(h.errors.every((e) => e.reason === "VaultClientError" && e.key === "k"));
    await h.controller.stop();
  });

  test("a plain thrown error is retried with a generic reason", async () => {
    const h = harness(() => {
      throw new Error("kaboom");
    });
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(0);
    assert.equal(h.errors.length, 1);
    assert.equal(h.errors[0]?.reason, "ReconcileFailed");
    assert.equal(h.errors[0]?.retryable, true);
    await h.controller.stop();
  });

  test("a non-retryable error waits for a change instead of retrying", async () => {
    const h = harness(() => {
      throw new ReconcileError("InvalidConfiguration", "spec.path is empty", { retryable: false });
    });
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(3_600_000);
    assert.equal(h.calls.length, 1);
    assert.deepEqual(h.errors, [
      {
        key: "k",
        reason: "InvalidConfiguration",
        retryable: false,
        retryInMs: undefined,
        message: "spec.path is empty",
      },
    ]);
    h.controller.enqueue("k");
    await h.clock.advance(0);
    assert.equal(h.calls.length, 2, "an enqueue (a change) wakes it");
    await h.controller.stop();
  });

  test("an error's own retryAfterMs replaces the backoff", async () => {
    const h = harness(() => {
      throw new ReconcileError("VaultClientConfigError", "no VaultConnection", { retryAfterMs: 4_200 });
    });
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(4_200 * 3);
    assert.deepEqual(
      h.calls.map((c) => c.at),
      [0, 4_200, 8_400, 12_600],
    );
    assert.equal(h.controller.failures("k"), 0, "fixed retries do not grow the backoff");
    await h.controller.stop();
  });

  test("a successful reconcile replaces a pending backoff deadline", async () => {
    let runs = 0;
    const h = harness(() => {
      runs += 1;
      if (runs === 1) throw new ReconcileError("SecretSyncError", "temporary");
      return requeueAfter(600_000);
    });
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(1_000);
    assert.equal(h.controller.dueAt("k"), h.clock.now() + 4_000);
    h.controller.enqueue("k");
    await h.clock.advance(0);
    assert.equal(h.controller.dueAt("k"), h.clock.now() + 600_000);
    await h.clock.advance(100_000);
    assert.equal(h.calls.length, 2, "the stale backoff retry did not fire");
    await h.controller.stop();
  });

  test("awaitChange cancels a deadline set by an earlier reconcile", async () => {
    let runs = 0;
    const h = harness(() => (++runs === 1 ? requeueAfter(60_000) : awaitChange()));
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(1_000);
    h.controller.enqueue("k");
    await h.clock.advance(3_600_000);
    assert.equal(h.calls.length, 2);
    assert.equal(h.controller.scheduled, 0);
    await h.controller.stop();
  });

  test("runs different keys concurrently up to the worker count", async () => {
    const gates = new Map<string, Gate>();
    let running = 0;
    let peak = 0;
    const h = harness(
      async (key) => {
        running += 1;
        peak = Math.max(peak, running);
        const g = gate();
        gates.set(key, g);
        const action = await g.promise;
        running -= 1;
        return action;
      },
      { concurrency: 3 },
    );
    h.controller.start();
    for (const key of ["a", "b", "c", "d", "e"]) h.controller.enqueue(key);
    await settle();
    assert.equal(h.controller.inFlight, 3);
    assert.equal(h.controller.queued, 2);
    for (const g of gates.values()) g.open(awaitChange());
    await settle();
    for (const g of gates.values()) g.open(awaitChange());
    await settle();
    assert.equal(peak, 3);
    assert.deepEqual(h.calls.map((c) => c.key).sort(), ["a", "b", "c", "d", "e"]);
    await h.controller.stop();
  });

  test("a key enqueued while it reconciles runs once more afterwards, never in parallel", async () => {
    const gates: Array<Gate> = [];
    let running = 0;
    let overlapped = false;
    const h = harness(
      async () => {
        running += 1;
        if (running > 1) overlapped = true;
        const g = gate();
        gates.push(g);
        const action = await g.promise;
        running -= 1;
        return action;
      },
      { concurrency: 4 },
    );
    h.controller.start();
    h.controller.enqueue("k");
    await settle();
    h.controller.enqueue("k");
    h.controller.enqueue("k");
    h.controller.enqueue("k");
    await settle();
    assert.equal(h.calls.length, 1);
    gates[0]?.open(awaitChange());
    await settle();
    assert.equal(h.calls.length, 2, "three adds during the run collapse into one more run");
    gates[1]?.open(awaitChange());
    await h.clock.advance(1_000);
    assert.equal(h.calls.length, 2);
    assert.equal(overlapped, false);
    await h.controller.stop();
  });

  test("a delayed trigger that arrives mid-reconcile survives that reconcile's later deadline", async () => {
    const first = gate();
    let runs = 0;
    const h = harness(() => (++runs === 1 ? first.promise : awaitChange()));
    h.controller.start();
    h.controller.enqueue("k");
    await settle();
    h.controller.enqueueAfter("k", 2_000);
    first.open(requeueAfter(3_600_000));
    await h.clock.advance(2_000);
    assert.deepEqual(
      h.calls.map((c) => c.at),
      [0, 2_000],
    );
    await h.controller.stop();
  });

  test("enqueueAfter never postpones an earlier deadline", async () => {
    const h = harness(() => requeueAfter(1_000));
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(0);
    h.controller.enqueueAfter("k", 30_000);
    assert.equal(h.controller.dueAt("k"), h.clock.now() + 1_000);
    await h.controller.stop();
  });

  test("keys enqueued before start() are reconciled once it starts", async () => {
    const h = harness(() => awaitChange());
    h.controller.enqueue("a");
    h.controller.enqueue("b");
    h.controller.enqueue("a");
    await h.clock.advance(1_000);
    assert.equal(h.calls.length, 0);
    h.controller.start();
    await h.clock.advance(0);
    assert.deepEqual(
      h.calls.map((c) => c.key),
      ["a", "b"],
    );
    await h.controller.stop();
  });

  test("stop() aborts running reconciles, waits for them, and drops pending work", async () => {
    let aborted = false;
    const h = harness(
      (key, signal) =>
        key === "slow"
          ? new Promise<Action>((resolve) =>
              signal.addEventListener("abort", () => {
                aborted = true;
                resolve(awaitChange());
              }),
            )
          : requeueAfter(1_000),
      { concurrency: 1 },
    );
    h.controller.start();
    h.controller.enqueue("slow");
    h.controller.enqueue("queued");
    await settle();
    const result = await h.controller.stop();
    assert.equal(aborted, true);
    assert.deepEqual(result, { finished: true, abandoned: [] });
    h.controller.enqueue("after-stop");
    await h.clock.advance(10_000);
    assert.deepEqual(
      h.calls.map((c) => c.key),
      ["slow"],
    );
    assert.deepEqual(h.errors, [], "work cut short by stop() is not reported as a failure");
  });

  test("whatever a reconcile throws once stop() aborted it is not a failure (a request cut short fails its own way)", async () => {
    const h = harness(
      (_key, signal) =>
        new Promise<Action>((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(new Error("socket closed"))),
        ),
      { concurrency: 1 },
    );
    h.controller.start();
    h.controller.enqueue("in-flight");
    await settle();
    await h.controller.stop();
    assert.deepEqual(h.errors, []);
  });

  test("stop() gives up after its timeout and names the reconciles still running", async () => {
    const stuck = gate();
    const h = harness(() => stuck.promise);
    h.controller.start();
    h.controller.enqueue("stuck");
    await settle();
    const stopping = h.controller.stop({ timeoutMs: 5_000 });
    await h.clock.advance(5_000);
    assert.deepEqual(await stopping, { finished: false, abandoned: ["stuck"] });
    stuck.open(awaitChange());
  });

  test("a reconcile that returns something other than an Action is a failure", async () => {
    const h = harness(() => undefined as unknown as Action);
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(0);
    assert.equal(h.errors.length, 1);
    assert.match(h.errors[0]?.message ?? "", /not an Action/);
    await h.controller.stop();
  });

  test("throwing hooks do not stop the workers", async () => {
    const hookErrors: unknown[] = [];
    let runs = 0;
    const h = harness(
      () => {
        runs += 1;
        if (runs === 1) throw new Error("first");
        return awaitChange();
      },
      {
        onError: () => {
          throw new Error("broken onError");
        },
        onReconciled: () => {
          throw new Error("broken onReconciled");
        },
        onHookError: (error) => hookErrors.push(error),
      },
    );
    h.controller.start();
    h.controller.enqueue("k");
    await h.clock.advance(10_000);
    assert.equal(h.calls.length, 2, "the retry still happened");
    assert.equal(hookErrors.length, 3);
    await h.controller.stop();
  });

  test("cannot be restarted after stop()", async () => {
    const h = harness(() => awaitChange());
    h.controller.start();
    await h.controller.stop();
    assert.throws(() => h.controller.start(), /stopped/);
  });
});
