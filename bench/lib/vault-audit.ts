// Counting Vault requests the way Vault sees them: OpenBao's file audit device (tools/testenv
// declares one) logs every request, so a window of the log is an exact count, independent of the
// operator's own metrics. The bench's own requests use the root token and are left out.
import { readFileSync, statSync } from "node:fs";
import { auditLogPath } from "../../tools/testenv/openbao.ts";
import type { Bench } from "./context.ts";

export interface AuditRequest {
  time: string;
  operation: string;
  path: string;
}

interface AuditLine {
  time: string;
  type: string;
  auth?: { display_name?: string };
  request?: { operation?: string; path?: string };
}

/** A position in the audit log; requestsSince reads what came after it. */
export function auditMark(bench: Bench): number {
  return statSync(auditLogPath(bench.env.runDir)).size;
}

/** Requests logged after `mark`, made by any token but the bench's root token. */
export function requestsSince(bench: Bench, mark: number): AuditRequest[] {
  const text = readFileSync(auditLogPath(bench.env.runDir)).subarray(mark).toString("utf8");
  const out: AuditRequest[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const entry = JSON.parse(line) as AuditLine;
    if (entry.type !== "request" || entry.auth?.display_name === "root") continue;
    out.push({
      time: entry.time,
      operation: entry.request?.operation ?? "?",
      path: entry.request?.path ?? "",
    });
  }
  return out;
}

/** `list kvv2/detailed-metadata/…`: the operation and the path's first two segments. */
export function requestKind(request: AuditRequest): string {
  const [mount, endpoint] = request.path.split("/");
  return `${request.operation} ${endpoint === undefined ? request.path : `${mount}/${endpoint}/…`}`;
}

export function countByKind(requests: readonly AuditRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) out[requestKind(r)] = (out[requestKind(r)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([, a], [, b]) => b - a));
}
