import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KeyedBackoff } from "../../../src/runtime/rate-limiter.ts";

const middle = () => 0.5;

describe("KeyedBackoff", () => {
  test("follows VSO's sequence without jitter: 5 s, ×1.5, capped at 60 s", () => {
    const backoff = new KeyedBackoff({ random: middle });
    const delays = Array.from({ length: 10 }, () => backoff.next("k"));
    assert.deepEqual(delays, [5_000, 7_500, 11_250, 16_875, 25_313, 37_969, 56_953, 60_000, 60_000, 60_000]);
  });

  test("jitter stays within ±50 % of the interval", () => {
    const low = new KeyedBackoff({ random: () => 0 });
    const high = new KeyedBackoff({ random: () => 0.999_999 });
    assert.equal(low.next("k"), 2_500);
    assert.equal(high.next("k"), 7_500);
    for (let i = 0; i < 10; i++) {
      low.next("k");
      high.next("k");
    }
    assert.equal(low.next("k"), 30_000, "at the cap the lowest delay is half of 60 s");
    assert.equal(high.next("k"), 60_000, "the cap bounds the jittered delay too: no retry waits past 60 s");
  });

  test("random delays land inside the jitter bounds at every step", () => {
    const backoff = new KeyedBackoff();
    const intervals = [5_000, 7_500, 11_250, 16_875, 25_312.5, 37_968.75, 56_953.125, 60_000, 60_000];
    for (let trial = 0; trial < 200; trial++) {
      backoff.forget("k");
      for (const interval of intervals) {
        const delay = backoff.next("k");
        assert.ok(
          delay >= Math.floor(interval * 0.5) && delay <= Math.min(Math.ceil(interval * 1.5), 60_000),
          `${delay} for ${interval}`,
        );
      }
    }
  });

  test("keys back off independently and forget() restarts a key at the initial interval", () => {
    const backoff = new KeyedBackoff({ random: middle });
    backoff.next("a");
    backoff.next("a");
    assert.equal(backoff.next("b"), 5_000);
    assert.equal(backoff.failures("a"), 2);
    backoff.forget("a");
    assert.equal(backoff.failures("a"), 0);
    assert.equal(backoff.next("a"), 5_000);
    backoff.forget("a");
    backoff.forget("b");
    assert.equal(backoff.size, 0, "forgotten keys hold no memory");
  });

  test("honours custom settings and rejects nonsense", () => {
    const backoff = new KeyedBackoff({ initialMs: 100, multiplier: 2, maxMs: 1_000, randomizationFactor: 0 });
    assert.deepEqual(
      Array.from({ length: 6 }, () => backoff.next("k")),
      [100, 200, 400, 800, 1_000, 1_000],
    );
    assert.throws(() => new KeyedBackoff({ multiplier: 0.5 }), RangeError);
    assert.throws(() => new KeyedBackoff({ randomizationFactor: 1 }), RangeError);
    assert.throws(() => new KeyedBackoff({ initialMs: 0 }), RangeError);
  });
});
