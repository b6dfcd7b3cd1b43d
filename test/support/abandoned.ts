// A test run killed with SIGKILL cannot tear its environment down. The next run does it: an
// environment named test-<pid> whose runner is gone is stopped (by its recorded PIDs) and removed.
import { existsSync, readdirSync } from "node:fs";
import { dirname } from "node:path";
import { runDir } from "../../tools/testenv/config.ts";
import { down } from "../../tools/testenv/environment.ts";

export async function sweepAbandoned(): Promise<void> {
  const parent = dirname(runDir("probe"));
  if (process.env.TESTENV_RUN_DIR !== undefined || !existsSync(parent)) return;
  for (const entry of readdirSync(parent)) {
    const owner = /^test-(\d+)$/.exec(entry)?.[1];
    if (owner !== undefined && !alive(Number(owner))) await down(entry);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
