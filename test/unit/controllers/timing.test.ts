import assert from "node:assert/strict";
import { test } from "node:test";
import { horizonWithJitter, parseDuration } from "../../../src/controllers/timing.ts";

test("refresh horizon is 80–90 % of the interval", () => {
  assert.equal(
    horizonWithJitter(60_000, () => 0),
    54_000,
  );
  assert.equal(
    horizonWithJitter(60_000, () => 0.999999),
    48_000.006,
  );
});

test("durations in VSO's format", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("1.5m"), 90_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.throws(() => parseDuration("10x"), /invalid duration/);
  assert.throws(() => parseDuration("1h30m"), /invalid duration/);
});
