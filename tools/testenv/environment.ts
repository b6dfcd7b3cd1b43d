// One test environment: start everything in order, describe it in <run>/env.json, stop it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binaries, readVersions, runDir as runDirFor } from "./config.ts";
import { closeAgents } from "./http.ts";
import { type KubeEnv, startKube } from "./kube.ts";
import { configureVault, fixtures, startOpenBao, type VaultEnv } from "./openbao.ts";
import { createPki } from "./pki.ts";
import { type PostgresEnv, startPostgres } from "./postgres.ts";
import { isOurs, readRecords, stopAll } from "./processes.ts";

export interface TestEnv {
  name: string;
  runDir: string;
  kube: KubeEnv;
  vault: VaultEnv;
  postgres: PostgresEnv;
  saPublicKeyFile: string;
  fixtures: typeof fixtures;
  /** Seconds from the start of `up` until everything was configured. */
  startSeconds: number;
}

export interface UpOptions {
  name?: string;
  controllerManager?: boolean;
  log?: (line: string) => void;
}

export async function up(options: UpOptions = {}): Promise<TestEnv> {
  const started = performance.now();
  const name = options.name ?? "default";
  const dir = runDirFor(name);
  const log = options.log ?? (() => {});
  if (readRecords(dir).some(isOurs)) throw new Error(`environment "${name}" is already running (${dir})`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const bins = binaries();
  for (const [what, path] of Object.entries(bins)) {
    if (what !== "kubeControllerManager" && path !== "" && !existsSync(path)) {
      throw new Error(`${what} is not built (${path}): run npm run env:build`);
    }
  }
  try {
    const pki = createPki(dir);
    log("pki ready");
    const kube = await startKube(dir, bins, pki, { controllerManager: options.controllerManager ?? false });
    log(`kube-apiserver ${kube.version} at ${kube.apiUrl}`);
    const postgres = await startPostgres(dir, bins);
    log(`postgres ${postgres.version} at ${postgres.host}:${postgres.port}`);
    const vault = await startOpenBao(dir, bins, pki);
    log(`${vault.flavor} ${vault.version} at ${vault.addr}`);
    await configureVault(vault, kube, postgres, pki);
    log("vault configured");
    const env: TestEnv = {
      name,
      runDir: dir,
      kube,
      vault,
      postgres,
      saPublicKeyFile: pki.saPub,
      fixtures,
      startSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
    writeFileSync(join(dir, "env.json"), `${JSON.stringify(env, null, 2)}\n`);
    writeFileSync(join(dir, "env.sh"), shellExports(env));
    return env;
  } catch (error) {
    await stopAll(dir);
    throw error;
  } finally {
    await closeAgents();
  }
}

export async function down(name = "default"): Promise<string[]> {
  const dir = runDirFor(name);
  if (!existsSync(dir)) return [];
  const stopped = await stopAll(dir);
  rmSync(dir, { recursive: true, force: true });
  return stopped;
}

export function status(name = "default"): { env?: TestEnv; running: string[]; runDir: string } {
  const dir = runDirFor(name);
  const running = readRecords(dir)
    .filter(isOurs)
    .map((r) => `${r.name} (${r.pid})`);
  const file = join(dir, "env.json");
  const env = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as TestEnv) : undefined;
  return { ...(env === undefined ? {} : { env }), running, runDir: dir };
}

/** Reads a running environment, for tests and tools started after `up`. */
export function load(dir: string): TestEnv {
  return JSON.parse(readFileSync(join(dir, "env.json"), "utf8")) as TestEnv;
}

function shellExports(env: TestEnv): string {
  const lines = {
    KUBECONFIG: env.kube.kubeconfig,
    VAULT_ADDR: env.vault.addr,
    BAO_ADDR: env.vault.addr,
    VAULT_TOKEN: env.vault.token,
    BAO_TOKEN: env.vault.token,
    VAULT_CACERT: env.vault.caFile,
    PGHOST: env.postgres.host,
    PGPORT: String(env.postgres.port),
    PGUSER: env.postgres.adminUser,
    PGPASSWORD: env.postgres.adminPassword,
  };
  return `${Object.entries(lines)
    .map(([k, v]) => `export ${k}='${v}'`)
    .join("\n")}\n`;
}

export { readVersions };
