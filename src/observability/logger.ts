// Structured JSON logs. Redaction is a safety net, not the plan: code never passes secret values
// to the logger, but if a Vault response or a Secret ends up in a log call by mistake, the fields
// that carry credentials are censored.
import pino, { type Logger } from "pino";

export type { Logger };

const redactPaths = [
  "token",
  "*.token",
  "client_token",
  "*.client_token",
  "auth.client_token",
  "secret_id",
  "*.secret_id",
  "jwt",
  "*.jwt",
  "password",
  "*.password",
  "private_key",
  "*.private_key",
  "data",
  "*.data",
  "stringData",
  "*.stringData",
  "headers.authorization",
  'headers["x-vault-token"]',
];

export interface LoggerOptions {
  level?: string;
  /** Extra fields on every line (component, version). */
  base?: Record<string, unknown>;
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: normalizeLevel(options.level ?? "info"),
      base: options.base ?? {},
      redact: { paths: redactPaths, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/**
 * VSO's chart speaks zap levels ("debug-extended", "trace", or a number: 4 = warn, 5 = debug,
 * 6 = trace); accept those too so existing values files keep working.
 */
export function normalizeLevel(level: string): string {
  const byName: Record<string, string> = { "debug-extended": "debug", trace: "trace", warning: "warn" };
  if (/^\d+$/.test(level)) {
    const n = Number(level);
    return n >= 6 ? "trace" : n >= 5 ? "debug" : n >= 4 ? "warn" : "info";
  }
  return byName[level] ?? level;
}
