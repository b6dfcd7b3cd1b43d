// node --test --test-global-setup: one environment for the whole integration run, always torn
// down — after the last test, on failure, and on Ctrl-C. Test files (separate processes) find it
// through KEYPORT_TESTENV_DIR. If that variable is already set, the run uses that environment
// (for example one started by `npm run env:up`) and leaves it running.
//
// Before the environment goes, the secrecy scan (issue 9, item 10; test/support/hostile/secrecy.ts)
// looks for every secret value the run's operators served in their logs, Events and statuses; a
// hit fails the run. KEYPORT_SECRECY_SCAN=0 skips it.
import { existsSync } from "node:fs";
import { down, load, up } from "../../tools/testenv/environment.ts";
import { sweepAbandoned } from "./abandoned.ts";
import { formatHits, scanRun } from "./hostile/secrecy.ts";

let owned: string | undefined;

export async function globalSetup(): Promise<void> {
  if (process.env.KEYPORT_TESTENV_DIR !== undefined) return;
  await sweepAbandoned();
  const name = `test-${process.pid}`;
  owned = name;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      void down(name).finally(() => process.exit(130));
    });
  }
  const env = await up({ name, log: (line) => process.stderr.write(`[testenv] ${line}\n`) });
  process.stderr.write(`[testenv] environment ready in ${env.startSeconds} s (${env.runDir})\n`);
  process.env.KEYPORT_TESTENV_DIR = env.runDir;
}

export async function globalTeardown(): Promise<void> {
  const leaks = secrecyScan();
  if (owned !== undefined) {
    await down(owned);
    owned = undefined;
  }
  if (leaks !== undefined) throw new Error(leaks);
}

/** The report when a secret value was found, else undefined. */
function secrecyScan(): string | undefined {
  const dir = process.env.KEYPORT_TESTENV_DIR;
  if (process.env.KEYPORT_SECRECY_SCAN === "0" || dir === undefined || !existsSync(dir)) return undefined;
  const env = load(dir);
  const result = scanRun({ runDir: dir, kubectl: env.kube.kubectl, kubeconfig: env.kube.kubeconfig });
  const report = formatHits(result);
  process.stderr.write(`[secrecy] ${report}\n`);
  return result.hits.length > 0 ? report : undefined;
}
