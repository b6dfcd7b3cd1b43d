// deploy/crds (and its copy in the Helm chart) is generated and checked in; this fails when someone
// changes src/api and forgets to run `node tools/gen-crds.ts`, or edits a generated file by hand.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { crdFiles, renderCrdsYaml } from "../../../src/api/index.ts";

const root = join(import.meta.dirname, "..", "..", "..");

for (const relative of ["deploy/crds", "deploy/charts/keyport/files/crds"]) {
  test(`${relative} holds exactly what tools/gen-crds.ts writes`, () => {
    const directory = join(root, relative);
    const expected = crdFiles();
    const present = readdirSync(directory).filter((name) => name.endsWith(".yaml"));
    assert.deepEqual(present.sort(), [...expected.keys()].sort());
    for (const [name, content] of expected) {
      assert.equal(
        readFileSync(join(directory, name), "utf8"),
        content,
        `${relative}/${name} is stale: run node tools/gen-crds.ts`,
      );
    }
  });
}

test("file names follow VSO's secrets.hashicorp.com_<plural>.yaml", () => {
  assert.deepEqual([...crdFiles().keys()].sort(), [
    "secrets.hashicorp.com_secrettransformations.yaml",
    "secrets.hashicorp.com_vaultauthglobals.yaml",
    "secrets.hashicorp.com_vaultauths.yaml",
    "secrets.hashicorp.com_vaultconnections.yaml",
    "secrets.hashicorp.com_vaultdynamicsecrets.yaml",
    "secrets.hashicorp.com_vaultpkisecrets.yaml",
    "secrets.hashicorp.com_vaultstaticsecrets.yaml",
  ]);
});

test("node src/cli/crds.ts prints the same stream", () => {
  const printed = execFileSync(process.execPath, [join(root, "src", "cli", "crds.ts")], { encoding: "utf8" });
  assert.equal(printed, renderCrdsYaml());
});

test("tools/gen-crds.ts --check agrees", () => {
  execFileSync(process.execPath, [join(root, "tools", "gen-crds.ts"), "--check"], { encoding: "utf8" });
});
