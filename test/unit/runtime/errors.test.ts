import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { awaitChange, requeueAfter } from "../../../src/runtime/action.ts";
import { classifyError, ReconcileError } from "../../../src/runtime/errors.ts";

describe("classifyError", () => {
  test("returns a ReconcileError unchanged", () => {
    const error = new ReconcileError("SecretSyncError", "failed", { retryable: false });
    assert.equal(classifyError(error), error);
  });

  test("gives plain errors the fallback reason and treats them as transient", () => {
    const error = classifyError(new TypeError("x is undefined"), "K8sClientError");
    assert.equal(error.reason, "K8sClientError");
    assert.equal(error.retryable, true);
    assert.equal(error.message, "x is undefined");
    assert.ok(error.cause instanceof TypeError);
    assert.equal(classifyError("a string").reason, "ReconcileFailed");
  });

  test("keeps the reason and retryability of errors that carry their own", () => {
    const lower = Object.assign(new Error("forbidden"), { reason: "Forbidden", retryable: false });
    const error = classifyError(lower);
    assert.equal(error.reason, "Forbidden");
    assert.equal(error.retryable, false);
  });

  test("recognises aborts and timeouts", () => {
    assert.equal(classifyError(new DOMException("stop", "AbortError")).reason, "Aborted");
    assert.equal(classifyError(new DOMException("slow", "TimeoutError")).reason, "Aborted");
  });
});

describe("Action", () => {
  test("requeueAfter carries its delay, clamped at zero", () => {
    assert.deepEqual(requeueAfter(1_500), { kind: "requeue", afterMs: 1_500 });
    assert.deepEqual(requeueAfter(-3), { kind: "requeue", afterMs: 0 });
    assert.throws(() => requeueAfter(Number.NaN), RangeError);
  });

  test("awaitChange is a frozen singleton", () => {
    assert.equal(awaitChange(), awaitChange());
    assert.ok(Object.isFrozen(awaitChange()));
  });
});
