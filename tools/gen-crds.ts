// Writes deploy/crds/secrets.hashicorp.com_<plural>.yaml, one file per kind, from src/api, and the
// same files into the Helm chart (deploy/charts/keyport/files/crds: a chart cannot read files
// outside its folder). `--check` writes nothing and exits 1 when the checked-in files differ from
// what would be written.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { crdFiles } from "../src/api/crd-yaml.ts";

const root = join(import.meta.dirname, "..");
const crdDirectories = ["deploy/crds", "deploy/charts/keyport/files/crds"];
const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });

const expected = crdFiles();
for (const relative of crdDirectories) {
  const directory = join(root, relative);
  const present = existsSync(directory)
    ? readdirSync(directory).filter((name) => /^secrets\.hashicorp\.com_.*\.yaml$/.test(name))
    : [];
  const stale = present.filter((name) => !expected.has(name));
  const changed = [...expected].filter(([name, content]) => {
    const path = join(directory, name);
    return !existsSync(path) || readFileSync(path, "utf8") !== content;
  });

  if (values.check) {
    for (const name of stale) console.error(`${relative}/${name}: no kind generates it`);
    for (const [name] of changed) console.error(`${relative}/${name}: out of date`);
    if (stale.length > 0 || changed.length > 0) {
      console.error("run: node tools/gen-crds.ts");
      process.exitCode = 1;
    }
  } else {
    mkdirSync(directory, { recursive: true });
    for (const name of stale) rmSync(join(directory, name));
    for (const [name, content] of changed) writeFileSync(join(directory, name), content);
    console.log(`${relative}: ${expected.size} CRDs, ${changed.length} written, ${stale.length} removed`);
  }
}
