// Runs Keyport the way its container does, without a container engine: from a production tree
// (tools/image/production-tree.sh), with the Dockerfile's ENTRYPOINT + CMD in its WORKDIR and ENV,
// and — when this machine allows it (root, mount namespaces) — as the image's user on a read-only
// root file system, which is what the chart's securityContext asks of the kubelet.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { imageCommand, repoRoot } from "./dockerfile.ts";

/** Where tests keep `npm ci --omit=dev` results, per package-lock.json hash. */
export const productionTreeCache = join(
  process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"),
  "keyport-prodtree",
);

/** Builds the production tree into `dir` (empty or missing) with the image's own script. */
export function buildProductionTree(dir: string): string {
  return execFileSync("bash", [join(repoRoot, "tools", "image", "production-tree.sh"), dir], {
    encoding: "utf8",
    env: { ...process.env, PRODTREE_CACHE: productionTreeCache },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 15 * 60_000,
  });
}

/** The image's numeric user and group (USER uid:gid). */
export function imageUser(): { uid: number; gid: number } {
  const [uid, gid] = imageCommand().user.split(":");
  return { uid: Number(uid), gid: Number(gid ?? uid) };
}

let confinable: boolean | undefined;

/**
 * Whether this machine can run a process on a read-only root file system as another user: root,
 * with `unshare` (a private mount namespace) and `setpriv`. CI as non-root cannot.
 */
export function canConfine(): boolean {
  if (confinable !== undefined) return confinable;
  const probe = spawnSync(
    "unshare",
    [
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount -o remount,bind,ro / && exec setpriv --reuid=65532 --regid=65532 --clear-groups -- "$@"',
      "sh",
      "true",
    ],
    { stdio: "ignore" },
  );
  confinable = process.getuid?.() === 0 && probe.status === 0;
  return confinable;
}

export interface TreeProcessOptions {
  tree: string;
  /** Appended to the image's CMD (`run`): the flags a Deployment passes. */
  args: readonly string[];
  /** The container's environment beyond the image's ENV (nothing is inherited from the test). */
  env?: Record<string, string>;
  /** Read-only root and the image's user, when canConfine(). */
  confine: boolean;
}

/** Spawns the image's command from the tree. The argv is the Dockerfile's, with /app → tree. */
export function spawnFromTree(options: TreeProcessOptions): ChildProcess {
  const image = imageCommand();
  const [entry, ...rest] = image.argv;
  if (entry === undefined || !entry.startsWith(`${image.workdir}/`)) {
    throw new Error(`the ENTRYPOINT ${entry} is not inside WORKDIR ${image.workdir}`);
  }
  const binary = join(options.tree, entry.slice(image.workdir.length + 1));
  const argv = [binary, ...rest, ...options.args];
  const env = { ...image.env, ...options.env };
  if (!options.confine)
    return spawn(argv[0] as string, argv.slice(1), { cwd: options.tree, env, stdio: "pipe" });
  const { uid, gid } = imageUser();
  return spawn(
    "unshare",
    [
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      `mount -o remount,bind,ro / && exec setpriv --reuid=${uid} --regid=${gid} --clear-groups -- "$@"`,
      "sh",
      ...argv,
    ],
    { cwd: options.tree, env, stdio: "pipe" },
  );
}

/**
 * A file only the image's user can read (when confined) holding `content`, e.g. a kubeconfig: the
 * confined process cannot read the test environment's root-only files. It goes in a new folder
 * under `parent`, which the caller removes.
 */
export function privateFile(parent: string, name: string, content: string, confine: boolean): string {
  const dir = mkdtempSync(join(parent, "private-"));
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  if (confine) {
    const { uid, gid } = imageUser();
    chownSync(dir, uid, gid);
    chownSync(path, uid, gid);
    chmodSync(dir, 0o700);
  }
  return path;
}
