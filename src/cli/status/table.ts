// The table `keyport status` prints: one line per object, times relative to now the way kubectl
// prints ages ("3m ago", "in 13d"), the error cut to the terminal unless -o wide.
import type { StatusRow } from "./rows.ts";

export interface TableOptions {
  nowMs: number;
  /** -o wide: absolute times as well, and errors in full. */
  wide?: boolean;
  /** Longest error shown when not wide. */
  errorWidth?: number;
}

const columns = [
  "KIND",
  "NAMESPACE/NAME",
  "SYNCED",
  "LAST SYNC",
  "NEXT REFRESH",
  "EXPIRES",
  "ERROR",
] as const;

/** kubectl's short durations: 45s, 5m, 5m30s below 10 minutes, 3h, 3h12m below a day, 14d, 2y. */
export function shortDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** "3m ago", "in 13d", "now"; "-" when there is no time. */
export function relative(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return "-";
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const delta = at - nowMs;
  if (Math.abs(delta) < 1000) return "now";
  return delta > 0 ? `in ${shortDuration(delta)}` : `${shortDuration(delta)} ago`;
}

function when(iso: string | undefined, options: TableOptions): string {
  const text = relative(iso, options.nowMs);
  return options.wide && iso !== undefined ? `${text} (${iso})` : text;
}

function nextRefresh(row: StatusRow, options: TableOptions): string {
  if (row.nextRefresh !== undefined) return when(row.nextRefresh, options);
  if (row.refreshInterval !== undefined) return `every ${row.refreshInterval}`;
  return "-";
}

function expires(row: StatusRow, options: TableOptions): string {
  if (row.expires === undefined) return "-";
  return `${when(row.expires, options)} (${row.expiresKind ?? "?"})`;
}

function error(row: StatusRow, options: TableOptions): string {
  if (row.error === undefined) return "";
  // One line: Vault's messages can span several.
  const text = `${row.reason ? `${row.reason}: ` : ""}${row.error}`.replace(/\s+/g, " ").trim();
  const width = options.errorWidth ?? 80;
  if (options.wide || text.length <= width) return text;
  return `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function renderTable(rows: readonly StatusRow[], options: TableOptions): string {
  if (rows.length === 0) return "No Keyport resources found.\n";
  const cells = rows.map((row) => [
    row.kind,
    `${row.namespace}/${row.name}`,
    row.synced,
    when(row.lastSync, options),
    nextRefresh(row, options),
    expires(row, options),
    error(row, options),
  ]);
  const widths = columns.map((title, i) => Math.max(title.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join("   ")
      .trimEnd();
  const failing = rows.filter((r) => r.failing).length;
  const summary =
    failing === 0 ? `${rows.length} resources, none failing` : `${rows.length} resources, ${failing} failing`;
  return `${[line(columns), ...cells.map(line)].join("\n")}\n\n${summary}\n`;
}
