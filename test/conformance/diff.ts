// Prints what Go and Keyport produce for the conformance cases: the differing ones, or every case
// whose name starts with the given prefix.
//
//   node test/conformance/diff.ts            # differences only
//   node test/conformance/diff.ts printf/    # every printf case
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseJsonKeepingNumbers } from "../../src/sync/go-json.ts";
import { secretInput, stringMap, TemplateSet, vaultMap } from "../../src/template/index.ts";
import { type CaseFile, type Expected, resolveFixture } from "./case.ts";

const here = import.meta.dirname;
const file = JSON.parse(readFileSync(join(here, "cases.json"), "utf8")) as CaseFile;
const expected = JSON.parse(readFileSync(join(here, "expected.json"), "utf8")) as Record<string, Expected>;
const prefix = process.argv[2];

const json = (text: string | undefined) =>
  vaultMap(text === undefined ? {} : (parseJsonKeepingNumbers(text) as Record<string, never>));

let differences = 0;
for (const c of file.cases) {
  if (prefix !== undefined && !c.name.startsWith(prefix)) continue;
  const want = expected[c.name];
  if (want === undefined) continue;
  let ours: { ok: boolean; text: string };
  try {
    const input = secretInput({
      secrets: json(resolveFixture(c.secrets, file.fixtures)),
      wrapData: vaultMap(undefined),
      metadata: json(resolveFixture(c.metadata, file.fixtures)),
      annotations: stringMap(c.annotations),
      labels: stringMap(c.labels),
    });
    const set = new TemplateSet();
    for (const s of c.sources ?? []) set.parse(s.name, s.text);
    set.parse("case", c.template);
    ours = { ok: true, text: set.execute("case", input).toString("latin1") };
  } catch (error) {
    ours = { ok: false, text: (error as Error).message };
  }
  const goText =
    want.error === undefined
      ? (want.outputBase64 !== undefined
          ? Buffer.from(want.outputBase64, "base64")
          : Buffer.from(want.output ?? "")
        ).toString("latin1")
      : undefined;
  const same =
    (goText === undefined && !ours.ok) ||
    (goText !== undefined && ours.ok && goText === ours.text) ||
    (c.check?.kind ?? "exact") !== "exact";
  if (!same) differences++;
  if (same && prefix === undefined) continue;
  const show = (s: string) => JSON.stringify(Buffer.from(s, "latin1").toString());
  console.log(`${same ? "same" : "DIFF"} ${c.name}  ${JSON.stringify(c.template)}`);
  console.log(`  go:      ${goText === undefined ? `error: ${want.error}` : show(goText)}`);
  console.log(`  keyport: ${ours.ok ? show(ours.text) : `error: ${ours.text}`}`);
}
console.log(`${differences} difference(s)`);
process.exitCode = differences === 0 ? 0 : 1;
