import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WorkQueue } from "../../../src/runtime/workqueue.ts";
import { FakeClock, settle } from "../../support/fake-clock.ts";

describe("WorkQueue", () => {
  test("hands keys out in the order they were first added", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("b");
    queue.add("c");
    assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], ["a", "b", "c"]);
  });

  test("holds a waiting key once however often it is added", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("b");
    queue.add("a");
    queue.add("a");
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), "a");
    assert.equal(await queue.get(), "b");
    assert.equal(queue.length, 0);
  });

  test("a waiting worker gets the next key as soon as it is added", async () => {
    const queue = new WorkQueue();
    const got = queue.get();
    queue.add("late");
    assert.equal(await got, "late");
  });

  test("never hands a key to two workers at once", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    assert.equal(await queue.get(), "a");
    queue.add("a");
    let second: string | undefined = "nothing yet";
    void queue.get().then((key) => {
      second = key;
    });
    await settle();
    assert.equal(second, "nothing yet", "a key in flight is not handed out again");
    queue.done("a");
    await settle();
    assert.equal(second, "a");
  });

  test("a key added while in flight is processed exactly once more afterwards", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    assert.equal(await queue.get(), "a");
    queue.add("a");
    queue.add("a");
    assert.equal(queue.length, 0, "it does not wait in the queue while in flight");
    queue.done("a");
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), "a");
    queue.done("a");
    assert.equal(queue.length, 0);
    assert.equal(queue.has("a"), false);
  });

  test("a key not re-added while in flight is gone after done()", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    await queue.get();
    queue.done("a");
    assert.equal(queue.length, 0);
    assert.equal(queue.has("a"), false);
  });

  test("shutdown wakes idle workers with undefined and ignores further adds", async () => {
    const queue = new WorkQueue();
    const waiting = [queue.get(), queue.get()];
    await queue.shutdown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
    queue.add("a");
    assert.equal(queue.length, 0);
    assert.equal(await queue.get(), undefined);
  });

  test("shutdown drops keys not yet handed out and waits for those in flight", async () => {
    const queue = new WorkQueue();
    queue.add("running");
    queue.add("waiting");
    assert.equal(await queue.get(), "running");
    queue.add("running");
    let drained = false;
    const shutdown = queue.shutdown().then(() => {
      drained = true;
    });
    assert.equal(queue.length, 0);
    await settle();
    assert.equal(drained, false, "still waiting for the in-flight key");
    queue.done("running");
    await shutdown;
    assert.equal(drained, true);
    assert.equal(await queue.get(), undefined, "the re-added key was not requeued during shutdown");
  });

  test("reports depth, adds, queue latency and work duration", async () => {
    const clock = new FakeClock();
    const seen = { depth: [] as number[], adds: 0, latency: [] as number[], work: [] as number[] };
    const queue = new WorkQueue({
      clock,
      metrics: {
        depth: (d) => seen.depth.push(d),
        added: () => {
          seen.adds += 1;
        },
        queueLatency: (ms) => seen.latency.push(ms),
        workDuration: (ms) => seen.work.push(ms),
      },
    });
    queue.add("a");
    queue.add("a");
    queue.add("b");
    await clock.advance(250);
    const key = await queue.get();
    await clock.advance(1_000);
    assert.deepEqual(queue.unfinishedWork(), { totalMs: 1_000, longestMs: 1_000 });
    queue.done(key as string);
    assert.equal(seen.adds, 2, "the duplicate add is not counted");
    assert.deepEqual(seen.latency, [250]);
    assert.deepEqual(seen.work, [1_000]);
    assert.deepEqual(seen.depth, [1, 2, 1]);
  });

  test("stays correct over a long run of adds and gets", async () => {
    const queue = new WorkQueue();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3_000; i++) queue.add(`k${i}`);
      for (let i = 0; i < 3_000; i++) {
        const key = await queue.get();
        assert.equal(key, `k${i}`);
        queue.done(key);
      }
    }
    assert.equal(queue.length, 0);
  });
});
