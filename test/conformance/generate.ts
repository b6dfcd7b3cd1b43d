// Regenerates test/conformance/cases.json from the case modules and renders every case with real
// Go (text/template + sprig, the function subset VSO v1.4.1 allows) into expected.json.
//
//   node test/conformance/generate.ts
//
// Needs Go and the Go module proxy (or a warm module cache under
// ${TESTENV_CACHE:-~/.cache/keyport-testenv}/go/mod).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { CaseFile } from "./case.ts";
import { fixtures } from "./cases/data.ts";
import { allCases } from "./cases/index.ts";

const here = import.meta.dirname;
const casesFile = join(here, "cases.json");
const expectedFile = join(here, "expected.json");

const names = new Set<string>();
for (const c of allCases) {
  if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
  names.add(c.name);
}

const file: CaseFile = { fixtures: fixtures(), cases: allCases };
writeFileSync(casesFile, `${JSON.stringify(file, null, 1)}\n`);

const cache = process.env.TESTENV_CACHE ?? join(homedir(), ".cache", "keyport-testenv");
execFileSync("go", ["run", ".", casesFile, expectedFile], {
  cwd: join(here, "go"),
  stdio: "inherit",
  env: {
    ...process.env,
    GOTOOLCHAIN: "local",
    GOFLAGS: "-mod=mod",
    GOMODCACHE: join(cache, "go", "mod"),
    TZ: "UTC",
  },
});
console.log(`${allCases.length} cases rendered by Go into ${expectedFile}`);
