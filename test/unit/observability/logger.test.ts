import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, normalizeLevel } from "../../../src/observability/logger.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ destination: destination as never, level: "debug" }) };
}

test("credentials that reach a log call by mistake are censored", () => {
  const { lines, logger } = capture();
  logger.info(
    {
      auth: { client_token: "hvs.SECRET" },
      secret_id: "SECRET2",
      data: { password: "SECRET3" },
      ok: "visible",
    },
    "login",
  );
  const line = lines.join("");
  assert.doesNotMatch(line, /SECRET/);
  assert.match(line, /"ok":"visible"/);
  assert.match(line, /"level":"info"/);
});

test("zap-style levels from VSO's chart are understood", () => {
  assert.equal(normalizeLevel("debug-extended"), "debug");
  assert.equal(normalizeLevel("5"), "debug");
  assert.equal(normalizeLevel("6"), "trace");
  assert.equal(normalizeLevel("error"), "error");
});
