// Whether an operator process survived what a test did to it: the same process, its health
// endpoint answering, no sign of a crash or an unhandled rejection in its output, and its memory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { callJson } from "../../../tools/testenv/http.ts";
import type { KeyportProcess } from "../keyport.ts";

/** Resident memory of a process, from /proc (KiB). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** Lines of operator output that mean a crash or a promise nobody handled. */
export function crashSignals(output: string): string[] {
  return output
    .split("\n")
    .filter((line) =>
      /unhandled ?rejection|UnhandledPromiseRejection|uncaught|FATAL ERROR|heap out of memory|Maximum call stack|"level":"fatal"/i.test(
        line,
      ),
    );
}

/** The operator still runs as the same process, answers /healthz, and logged no crash. */
export async function assertSurvived(keyport: KeyportProcess, pid: number | undefined): Promise<void> {
  assert.equal(keyport.child.pid, pid, "the same operator process");
  assert.equal(keyport.child.exitCode, null, "the operator did not exit");
  assert.equal((await callJson("GET", `${keyport.healthUrl}/healthz`)).status, 200, "/healthz answers");
  assert.deepEqual(crashSignals(keyport.output()), [], "no crash or unhandled rejection in the log");
}
