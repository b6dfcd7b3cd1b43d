import assert from "node:assert/strict";
import { test } from "node:test";
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from "../../../src/vault/retry.ts";

test("retryable statuses: 412, 429 and 5xx except 501", () => {
  for (const status of [412, 429, 500, 502, 503, 504])
    assert.equal(isRetryableStatus(status), true, `${status}`);
  for (const status of [200, 400, 403, 404, 405, 501])
    assert.equal(isRetryableStatus(status), false, `${status}`);
});

test("delays grow exponentially within [half, full] of the step, capped", () => {
  const policy = { maxRetries: 5, minDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    retryDelayMs(policy, 0, () => 0),
    50,
  );
  assert.equal(
    retryDelayMs(policy, 0, () => 1),
    100,
  );
  assert.equal(
    retryDelayMs(policy, 2, () => 1),
    400,
  );
  assert.equal(
    retryDelayMs(policy, 10, () => 1),
    1000,
  );
  assert.equal(
    retryDelayMs(policy, 10, () => 0),
    500,
  );
});

test("Retry-After wins when longer, still capped", () => {
  const policy = { maxRetries: 2, minDelayMs: 100, maxDelayMs: 1500 };
  assert.equal(
    retryDelayMs(policy, 0, () => 0, 1),
    1000,
  );
  assert.equal(
    retryDelayMs(policy, 0, () => 0, 30),
    1500,
  );
  assert.equal(parseRetryAfter("3"), 3);
  assert.equal(parseRetryAfter(["7"]), 7);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});
