// The operator's own account of a fault: its JSON log lines (pino), read back by the suites.
export interface LogLine {
  time: number;
  msg: string;
  level?: string;
  controller?: string;
  key?: string;
  reason?: string;
  err?: string;
  retryInMs?: number;
  [field: string]: unknown;
}

export function logLines(output: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      out.push({ ...parsed, time: Date.parse(String(parsed.time)), msg: String(parsed.msg) } as LogLine);
    } catch {
      // A partial line at the end of the buffer.
    }
  }
  return out;
}

export interface RetryStats {
  failures: number;
  keys: number;
  /** The longest retry delay the operator scheduled. */
  maxRetryMs: number;
  /** The most failures of one key. */
  maxFailuresPerKey: number;
}

/** "reconcile failed" lines between two instants: how the operator backed off. */
export function retryStats(lines: readonly LogLine[], from: number, to: number): RetryStats {
  const perKey = new Map<string, number>();
  let maxRetryMs = 0;
  let failures = 0;
  for (const l of lines) {
    if (l.msg !== "reconcile failed" || l.time < from || l.time > to) continue;
    failures++;
    const key = `${l.controller}/${l.key}`;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    if (typeof l.retryInMs === "number") maxRetryMs = Math.max(maxRetryMs, l.retryInMs);
  }
  return {
    failures,
    keys: perKey.size,
    maxRetryMs,
    maxFailuresPerKey: Math.max(0, ...perKey.values()),
  };
}

/** Failed reconciles from `from` on, grouped by what they said: where a recovery spent its time. */
export function failuresSince(lines: readonly LogLine[], from: number): string {
  const groups = new Map<string, { count: number; lastMs: number }>();
  for (const l of lines) {
    if (l.msg !== "reconcile failed" || l.time < from) continue;
    const what = `${l.controller} ${l.reason}: ${String(l.err ?? "")
      .replace(/[\w-]+\/[\w./-]+/g, "…")
      .slice(0, 90)}`;
    const g = groups.get(what) ?? { count: 0, lastMs: 0 };
    g.count++;
    g.lastMs = Math.max(g.lastMs, l.time - from);
    groups.set(what, g);
  }
  if (groups.size === 0) return "none";
  return [...groups].map(([what, g]) => `${g.count}× ${what} (last at +${g.lastMs} ms)`).join("; ");
}
