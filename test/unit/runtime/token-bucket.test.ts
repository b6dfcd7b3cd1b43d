import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TokenBucket } from "../../../src/runtime/token-bucket.ts";
import { FakeClock, settle } from "../../support/fake-clock.ts";

describe("TokenBucket", () => {
  test("lets a burst through at once, then one request per 1/rate seconds, in order", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3, clock });
    const granted: Array<{ id: number; at: number }> = [];
    for (let id = 0; id < 6; id++) {
      void bucket.take().then(() => granted.push({ id, at: clock.now() - start }));
    }
    await settle();
    assert.deepEqual(
      granted.map((g) => g.at),
      [0, 0, 0],
    );
    assert.equal(bucket.waiting, 3);
    await clock.advance(300);
    assert.deepEqual(granted, [
      { id: 0, at: 0 },
      { id: 1, at: 0 },
      { id: 2, at: 0 },
      { id: 3, at: 100 },
      { id: 4, at: 200 },
      { id: 5, at: 300 },
    ]);
    assert.equal(clock.pendingTimers, 0);
  });

  test("refills up to the burst while idle", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2, clock });
    await bucket.take();
    await bucket.take();
    await clock.advance(60_000);
    let granted = 0;
    for (let i = 0; i < 3; i++) void bucket.take().then(() => granted++);
    await settle();
    assert.equal(granted, 2, "an idle minute refills two tokens, not sixty");
  });

  test("an aborted wait rejects and gives its place up", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
    await bucket.take();
    const abort = new AbortController();
    const cancelled = bucket.take(abort.signal);
    let nextGranted = false;
    void bucket.take().then(() => {
      nextGranted = true;
    });
    abort.abort(new Error("gave up"));
    await assert.rejects(cancelled, /gave up/);
    await clock.advance(1_000);
    assert.equal(nextGranted, true);
  });

  test("a rate of zero means no throttling", async () => {
    const bucket = new TokenBucket({ ratePerSecond: 0, burst: 1, clock: new FakeClock() });
    for (let i = 0; i < 1_000; i++) await bucket.take();
    assert.equal(bucket.unlimited, true);
  });
});
