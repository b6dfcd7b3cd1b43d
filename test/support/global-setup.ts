// node --test --test-global-setup: one environment for the whole integration run, always torn
// down — after the last test, on failure, and on Ctrl-C. Test files (separate processes) find it
// through KEYPORT_TESTENV_DIR. If that variable is already set, the run uses that environment
// (for example one started by `npm run env:up`) and leaves it running.
import { down, up } from "../../tools/testenv/environment.ts";
import { sweepAbandoned } from "./abandoned.ts";

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
  if (owned === undefined) return;
  await down(owned);
  owned = undefined;
}
