// Starting and stopping the servers of one environment. Every process we start is recorded in
// <run>/pids with its executable, and only those PIDs are ever signalled: a PID whose executable
// changed (the kernel reused it) is left alone.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, openSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface ProcessRecord {
  name: string;
  pid: number;
  executable: string;
  /** The signal that asks this server for a fast, clean stop. */
  stopSignal: NodeJS.Signals;
}

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  runDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  stopSignal?: NodeJS.Signals;
}

/** Starts a server detached from us, so it outlives `env:up`; output goes to <run>/logs/<name>.log. */
export function startProcess(options: StartOptions): ProcessRecord {
  const log = openSync(join(options.runDir, "logs", `${options.name}.log`), "a");
  const child = spawn(options.command, options.args, {
    detached: true,
    stdio: ["ignore", log, log],
    env: options.env ?? process.env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  child.unref();
  const record: ProcessRecord = {
    name: options.name,
    pid: child.pid,
    executable: options.command,
    stopSignal: options.stopSignal ?? "SIGTERM",
  };
  appendFileSync(join(options.runDir, "pids"), `${JSON.stringify(record)}\n`);
  return record;
}

export function readRecords(runDir: string): ProcessRecord[] {
  const file = join(runDir, "pids");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ProcessRecord);
}

/** True when `pid` is alive and still runs the executable we started. */
export function isOurs(record: ProcessRecord): boolean {
  try {
    const exe = readlinkSync(`/proc/${record.pid}/exe`).replace(/ \(deleted\)$/, "");
    return exe === record.executable || exe.endsWith(`/${record.executable.split("/").pop()}`);
  } catch {
    return false;
  }
}

/** Stops every recorded process, newest first: ask politely, wait up to 20 s, then SIGKILL the same PID. */
export async function stopAll(runDir: string, graceMs = 20_000): Promise<string[]> {
  const stopped: string[] = [];
  for (const record of readRecords(runDir).reverse()) {
    if (!isOurs(record)) continue;
    signal(record.pid, record.stopSignal);
    const deadline = Date.now() + graceMs;
    while (isOurs(record) && Date.now() < deadline) await sleep(50);
    if (isOurs(record)) signal(record.pid, "SIGKILL");
    while (isOurs(record)) await sleep(20);
    stopped.push(`${record.name} (${record.pid})`);
  }
  writeFileSync(join(runDir, "pids"), "");
  return stopped;
}

/**
 * Stops the running processes recorded under `name` (fault-injection tests restart one server),
 * like stopAll: polite signal, up to `graceMs`, then SIGKILL of the same PID. Their records stay
 * in <run>/pids; dead records are skipped everywhere.
 */
export async function stopNamed(runDir: string, name: string, graceMs = 20_000): Promise<number> {
  let stopped = 0;
  for (const record of readRecords(runDir)) {
    if (record.name !== name || !isOurs(record)) continue;
    signal(record.pid, record.stopSignal);
    const deadline = Date.now() + graceMs;
    while (isOurs(record) && Date.now() < deadline) await sleep(50);
    if (isOurs(record)) signal(record.pid, "SIGKILL");
    while (isOurs(record)) await sleep(20);
    stopped++;
  }
  return stopped;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: nothing to stop.
  }
}

/** Polls `probe` until it returns true, or fails with the tail of the server's log. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; record?: ProcessRecord; runDir?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.record !== undefined && !isOurs(options.record)) {
      throw new Error(`${what}: the process exited\n${logTail(options)}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`${what}: not ready in time (${String(lastError)})\n${logTail(options)}`);
}

function logTail(options: { record?: ProcessRecord; runDir?: string }): string {
  if (options.record === undefined || options.runDir === undefined) return "";
  const file = join(options.runDir, "logs", `${options.record.name}.log`);
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
}
