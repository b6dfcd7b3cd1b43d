// Where testenv finds its binaries and keeps its state. Binaries live in a cache outside the repo,
// keyed by component version, Go version and platform (build.sh); a user may point at their own
// binaries with environment variables instead.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const testenvDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(testenvDir, "..", "..");

export type Versions = Readonly<Record<string, string>>;

export function readVersions(): Versions {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(join(testenvDir, "versions.env"), "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(\S*)/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) versions[match[1]] = match[2];
  }
  return versions;
}

export function cacheDir(): string {
  return (
    process.env.TESTENV_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "keyport-testenv")
  );
}

/**
 * Run directories hold one environment's PKI, data and logs. They live under the system temp
 * folder, not the cache: PostgreSQL runs as its own user when we are root, and it cannot enter
 * a home directory.
 */
export function runDir(name: string): string {
  return process.env.TESTENV_RUN_DIR ?? join(tmpdir(), "keyport-testenv", name);
}

/** Must match RECIPE in lib.sh: it is part of every cache key. */
const recipe = "r1";

function goPlatform(): { version: string; platform: string } {
  const out = execFileSync("go", ["env", "GOVERSION", "GOOS", "GOARCH"], { encoding: "utf8" })
    .trim()
    .split("\n");
  return { version: out[0] ?? "", platform: `${out[1]}_${out[2]}` };
}

let go: { version: string; platform: string } | undefined;

export function cachedBinary(component: string, version: string, binary: string): string {
  go ??= goPlatform();
  return join(cacheDir(), "bin", `${component}-${version}-${go.version}-${go.platform}-${recipe}`, binary);
}

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kubeControllerManager: string;
  openbao: string;
  postgresBin: string;
}

/** Binary paths: an environment variable wins, else the testenv cache. */
export function binaries(versions: Versions = readVersions()): Binaries {
  const k8s = versions.K8S_VERSION ?? "";
  return {
    etcd: process.env.TESTENV_ETCD ?? cachedBinary("etcd", versions.ETCD_VERSION ?? "", "etcd"),
    kubeApiserver: process.env.TESTENV_KUBE_APISERVER ?? cachedBinary("kube", k8s, "kube-apiserver"),
    kubectl: process.env.TESTENV_KUBECTL ?? cachedBinary("kube", k8s, "kubectl"),
    kubeControllerManager:
      process.env.TESTENV_KUBE_CONTROLLER_MANAGER ?? cachedBinary("kcm", k8s, "kube-controller-manager"),
    openbao: process.env.TESTENV_OPENBAO ?? cachedBinary("openbao", versions.OPENBAO_VERSION ?? "", "bao"),
    postgresBin: process.env.TESTENV_POSTGRES_BIN ?? findPostgresBin(),
  };
}

/** Debian installs PostgreSQL under /usr/lib/postgresql/<major>/bin; take the newest. */
function findPostgresBin(): string {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return "";
  const majors = execFileSync("ls", [root], { encoding: "utf8" })
    .split("\n")
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? "" : join(root, majors[0], "bin");
}
