import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { jitter, jitterUp, randomBetween, Scheduler } from "../../../src/runtime/scheduler.ts";
import { FakeClock } from "../../support/fake-clock.ts";

function setup() {
  const clock = new FakeClock();
  const fired: Array<{ key: string; at: number }> = [];
  const scheduler = new Scheduler((key) => fired.push({ key, at: clock.now() - start }), { clock });
  const start = clock.now();
  return { clock, fired, scheduler, at: (ms: number) => start + ms };
}

describe("Scheduler", () => {
  test("fires keys in deadline order, each at its deadline", async () => {
    const { clock, fired, scheduler, at } = setup();
    scheduler.schedule("c", at(300));
    scheduler.schedule("a", at(100));
    scheduler.schedule("b", at(200));
    await clock.advance(1_000);
    assert.deepEqual(fired, [
      { key: "a", at: 100 },
      { key: "b", at: 200 },
      { key: "c", at: 300 },
    ]);
    assert.equal(scheduler.size, 0);
  });

  test("keys due at the same instant fire in the order they were scheduled", async () => {
    const { clock, fired, scheduler, at } = setup();
    for (const key of ["x", "y", "z"]) scheduler.schedule(key, at(50));
    await clock.advance(50);
    assert.deepEqual(
      fired.map((f) => f.key),
      ["x", "y", "z"],
    );
  });

  test("rescheduling replaces the deadline, later or sooner: the latest reconcile's deadline wins", async () => {
    const { clock, fired, scheduler, at } = setup();
    scheduler.schedule("later", at(100));
    scheduler.schedule("later", at(500));
    scheduler.schedule("sooner", at(400));
    scheduler.schedule("sooner", at(200));
    await clock.advance(1_000);
    assert.deepEqual(fired, [
      { key: "sooner", at: 200 },
      { key: "later", at: 500 },
    ]);
  });

  test("scheduleSooner only ever brings a deadline forward", async () => {
    const { clock, fired, scheduler, at } = setup();
    scheduler.schedule("k", at(300));
    scheduler.scheduleSooner("k", at(500));
    assert.equal(scheduler.dueAt("k"), at(300));
    scheduler.scheduleSooner("k", at(100));
    await clock.advance(1_000);
    assert.deepEqual(fired, [{ key: "k", at: 100 }]);
  });

  test("cancel forgets a deadline", async () => {
    const { clock, fired, scheduler, at } = setup();
    scheduler.schedule("a", at(100));
    scheduler.schedule("b", at(200));
    assert.equal(scheduler.cancel("a"), true);
    assert.equal(scheduler.cancel("a"), false);
    await clock.advance(1_000);
    assert.deepEqual(fired, [{ key: "b", at: 200 }]);
  });

  test("thousands of keys share a single timer", async () => {
    const { clock, fired, scheduler, at } = setup();
    const n = 5_000;
    for (let i = 0; i < n; i++) scheduler.schedule(`k${i}`, at(((i * 7_919) % n) + 1));
    assert.equal(clock.pendingTimers, 1);
    assert.equal(scheduler.nextDueAt(), at(1));
    for (let i = 0; i < n; i += 3) scheduler.cancel(`k${i}`);
    assert.equal(clock.pendingTimers, 1);
    await clock.advance(n + 1);
    const times = fired.map((f) => f.at);
    assert.equal(fired.length, n - Math.ceil(n / 3));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      "fired in deadline order",
    );
    assert.equal(clock.pendingTimers, 0);
  });

  test("a deadline beyond setTimeout's range still fires at its time", async () => {
    const { clock, fired, scheduler, at } = setup();
    const ninetyDays = 90 * 24 * 3_600_000;
    scheduler.schedule("renew-cert", at(ninetyDays));
    await clock.advance(ninetyDays - 1);
    assert.deepEqual(fired, []);
    await clock.advance(1);
    assert.deepEqual(fired, [{ key: "renew-cert", at: ninetyDays }]);
  });

  test("a deadline in the past fires at once", async () => {
    const { clock, fired, scheduler, at } = setup();
    scheduler.schedule("overdue", at(-5_000));
    await clock.advance(0);
    assert.deepEqual(fired, [{ key: "overdue", at: 0 }]);
  });

  test("a callback may schedule again, and a throwing callback does not stop the others", async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const errors: string[] = [];
    const scheduler: Scheduler = new Scheduler(
      (key) => {
        fired.push(key);
        if (key === "bad") throw new Error("boom");
        if (key === "again" && fired.length < 3) scheduler.schedule("again", clock.now() + 10);
      },
      { clock, onCallbackError: (key) => errors.push(key) },
    );
    scheduler.schedule("bad", clock.now() + 5);
    scheduler.schedule("again", clock.now() + 5);
    await clock.advance(100);
    assert.deepEqual(fired, ["bad", "again", "again"]);
    assert.deepEqual(errors, ["bad"]);
  });

  test("stop drops every deadline and ignores later schedules", async () => {
    const { clock, fired, scheduler, at } = setup();
    scheduler.schedule("a", at(100));
    scheduler.stop();
    scheduler.schedule("b", at(100));
    assert.equal(clock.pendingTimers, 0);
    await clock.advance(1_000);
    assert.deepEqual(fired, []);
  });
});

describe("jitter helpers", () => {
  test("jitter is symmetric around the value", () => {
    assert.equal(
      jitter(1_000, 0.5, () => 0),
      500,
    );
    assert.equal(
      jitter(1_000, 0.5, () => 0.5),
      1_000,
    );
    assert.ok(jitter(1_000, 0.5, () => 0.999_999) <= 1_500);
  });

  test("jitterUp only ever delays", () => {
    assert.equal(
      jitterUp(2_000, 0.1, () => 0),
      2_000,
    );
    assert.ok(jitterUp(2_000, 0.1, () => 0.999_999) < 2_200);
  });

  test("randomBetween stays in [min, max)", () => {
    for (let i = 0; i < 1_000; i++) {
      const value = randomBetween(800, 900);
      assert.ok(value >= 800 && value < 900);
    }
  });
});
