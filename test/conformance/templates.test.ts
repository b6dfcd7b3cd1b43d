// Keyport's template engine against real Go: every case in cases/ was rendered by Go's
// text/template with VSO's sprig functions (generate.ts → expected.json); Keyport must produce the
// same bytes, or fail where Go fails.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseJsonKeepingNumbers } from "../../src/sync/go-json.ts";
import { bcryptVerify } from "../../src/template/funcs/bcrypt.ts";
import { secretInput, stringMap, TemplateError, TemplateSet, vaultMap } from "../../src/template/index.ts";
import { type CaseFile, type ConformanceCase, type Expected, resolveFixture } from "./case.ts";
import { fixtures } from "./cases/data.ts";
import { allCases } from "./cases/index.ts";

const here = import.meta.dirname;
const expected = JSON.parse(readFileSync(join(here, "expected.json"), "utf8")) as Record<string, Expected>;
const recorded = JSON.parse(readFileSync(join(here, "cases.json"), "utf8")) as CaseFile;

type Outcome = { ok: true; bytes: Buffer } | { ok: false; error: unknown };

function render(c: ConformanceCase): Outcome {
  try {
    const secretsText = resolveFixture(c.secrets, recorded.fixtures);
    const metadataText = resolveFixture(c.metadata, recorded.fixtures);
    const secrets = secretsText === undefined ? {} : parseJsonKeepingNumbers(secretsText);
    const metadata = metadataText === undefined ? {} : parseJsonKeepingNumbers(metadataText);
    const input = secretInput({
      secrets: vaultMap(secrets as Record<string, never>),
      wrapData: vaultMap(undefined),
      metadata: vaultMap(metadata as Record<string, never>),
      annotations: stringMap(c.annotations),
      labels: stringMap(c.labels),
    });
    const set = new TemplateSet();
    for (const s of c.sources ?? []) set.parse(s.name, s.text);
    set.parse("case", c.template);
    return { ok: true, bytes: set.execute("case", input) };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectedBytes(e: Expected): Buffer {
  if (e.outputBase64 !== undefined) return Buffer.from(e.outputBase64, "base64");
  return Buffer.from(e.output ?? "", "utf8");
}

const sortedRunes = (b: Buffer) => [...b.toString("utf8")].sort().join("");

describe("template conformance with Go text/template + sprig (VSO's function set)", () => {
  test("cases.json and expected.json are up to date with cases/ (run node test/conformance/generate.ts)", () => {
    assert.deepEqual(JSON.parse(JSON.stringify({ fixtures: fixtures(), cases: allCases })), recorded);
    for (const c of allCases) assert.ok(Object.hasOwn(expected, c.name), `no expected output for ${c.name}`);
  });

  for (const c of allCases) {
    test(c.name, () => {
      const want = expected[c.name];
      assert.ok(want !== undefined, "missing expected output; run generate.ts");
      const got = render(c);
      if (want.error !== undefined) {
        assert.equal(
          got.ok,
          false,
          `Go failed (${want.error}) but Keyport rendered ${got.ok ? JSON.stringify(got.bytes.toString()) : ""}`,
        );
        assert.ok(
          !got.ok && got.error instanceof TemplateError,
          `unexpected error type: ${got.ok ? "" : String(got.error)}`,
        );
        return;
      }
      if (!got.ok) throw got.error;
      const goBytes = expectedBytes(want);
      const check = c.check ?? { kind: "exact" };
      switch (check.kind) {
        case "exact":
          assert.equal(got.bytes.toString("latin1"), goBytes.toString("latin1"));
          break;
        case "bcrypt":
          assert.ok(
            bcryptVerify(got.bytes.toString(), Buffer.from(check.password)),
            "Keyport's hash does not verify",
          );
          assert.ok(
            bcryptVerify(goBytes.toString(), Buffer.from(check.password)),
            "Go's hash does not verify with Keyport's bcrypt",
          );
          assert.equal(got.bytes.length, goBytes.length);
          break;
        case "htpasswd": {
          for (const out of [got.bytes.toString(), goBytes.toString()]) {
            assert.ok(out.startsWith(`${check.user}:`));
            assert.ok(bcryptVerify(out.slice(check.user.length + 1), Buffer.from(check.password)));
          }
          break;
        }
        case "sameRunes":
          assert.equal(sortedRunes(got.bytes), sortedRunes(goBytes));
          break;
        case "intRange":
          for (const out of [got.bytes.toString(), goBytes.toString()]) {
            const n = Number(out);
            assert.ok(
              Number.isInteger(n) && n >= check.min && n < check.max,
              `${out} outside [${check.min}, ${check.max})`,
            );
          }
          break;
      }
    });
  }
});
