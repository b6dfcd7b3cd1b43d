// CPU time and resident memory of a process, from /proc (Linux).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcSample {
  /** performance.now() when read. */
  at: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  rssBytes: number;
}

export function procSample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { at: performance.now(), cpuSeconds: cpuTicks / clockTicks(), rssBytes: rssKb * 1024 };
}

/** Share of one core used between two samples, in percent. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100;
}

/** CPU seconds of several processes at once (missing ones are skipped). */
export function cpuSnapshot(pids: Record<string, number>): Record<string, ProcSample> {
  const out: Record<string, ProcSample> = {};
  for (const [name, pid] of Object.entries(pids)) {
    try {
      out[name] = procSample(pid);
    } catch {
      // gone
    }
  }
  return out;
}

/** Percent of one core each process used between two snapshots. */
export function cpuShares(
  a: Record<string, ProcSample>,
  b: Record<string, ProcSample>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, x] of Object.entries(a)) {
    const y = b[name];
    if (y !== undefined) out[name] = Math.round(cpuPercent(x, y));
  }
  return out;
}
