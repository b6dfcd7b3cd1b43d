// `keyport status -o json`: the rows as data, with absolute times, for scripts and dashboards.
import type { StatusRow } from "./rows.ts";

export interface StatusDocument {
  schemaVersion: 1;
  generatedAt: string;
  summary: { total: number; failing: number; byKind: Record<string, { total: number; failing: number }> };
  items: StatusRow[];
}

export function statusDocument(rows: readonly StatusRow[], nowMs: number): StatusDocument {
  const byKind: Record<string, { total: number; failing: number }> = {};
  for (const row of rows) {
    const entry = byKind[row.kind] ?? { total: 0, failing: 0 };
    byKind[row.kind] = entry;
    entry.total++;
    if (row.failing) entry.failing++;
  }
  return {
    schemaVersion: 1,
    generatedAt: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    summary: { total: rows.length, failing: rows.filter((r) => r.failing).length, byKind },
    items: [...rows],
  };
}

export function renderJson(rows: readonly StatusRow[], nowMs: number): string {
  return `${JSON.stringify(statusDocument(rows, nowMs), null, 2)}\n`;
}
