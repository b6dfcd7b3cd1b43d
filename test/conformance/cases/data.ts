// Secret data shaped like what Vault returns: strings, json.Number numbers, booleans, null,
// nested objects and arrays, unicode, multi-line and empty values.
import type { Check, ConformanceCase } from "../case.ts";

export const kv = JSON.stringify({
  username: "admin",
  password: "s3cr3t!&<>",
  port: 5432,
  ratio: 0.75,
  neg: -3,
  enabled: true,
  disabled: false,
  nothing: null,
  tags: ["a", "b", "c"],
  nested: { host: "db.local", port: 5432, inner: { k: "v" }, list: [1, "two", null, true] },
  empty: "",
  emptyList: [],
  emptyMap: {},
  unicode: "héllo wörld ✓ 日本",
  multiline: "line1\nline2\nline3",
  spaces: "  padded  ",
  csv: "a,b,,c",
  numStr: "42",
  floatStr: "3.25",
  url: "https://user:p%40ss@example.com:8443/a/b%20c?x=1&y=2#frag",
  pem: "-----BEGIN X-----\nabc\n-----END X-----",
  dotted: "a.b.c",
}).replace('"port":5432,"ratio"', '"port":5432,"big":12345678901234567890,"exp":1e3,"decimal":1.50,"ratio"');

/** Shared inputs, referenced from cases as "@name" to keep cases.json small. */
export const fixtures = (): Record<string, string> => ({ kv, kvMetadata });

export const kvMetadata = JSON.stringify({
  created_time: "2024-05-01T10:20:30.123456789Z",
  custom_metadata: { owner: "team-a", env: "prod" },
  deletion_time: "",
  destroyed: false,
  version: 7,
});

export interface CaseOptions {
  sources?: Array<{ name: string; text: string }>;
  secrets?: string;
  metadata?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  check?: Check;
}

/** A case; the standard secret data is attached when the template reads data. */
export function c(name: string, template: string, opts: CaseOptions = {}): ConformanceCase {
  const usesData = /Secrets|Metadata|Annotations|Labels|\{\{-?\s*\.\s*-?\}\}|\$\.|\bwith \.|range \./.test(
    template,
  );
  const out: ConformanceCase = { name, template };
  if (opts.sources) out.sources = opts.sources;
  const secrets = opts.secrets ?? (usesData ? "@kv" : undefined);
  if (secrets !== undefined) out.secrets = secrets;
  const metadata = opts.metadata ?? (/Metadata/.test(template) ? "@kvMetadata" : undefined);
  if (metadata !== undefined) out.metadata = metadata;
  if (opts.annotations) out.annotations = opts.annotations;
  if (opts.labels) out.labels = opts.labels;
  if (opts.check) out.check = opts.check;
  return out;
}

/** Several cases of one function: `prefix/i` for each template. */
export function many(prefix: string, templates: string[], opts: CaseOptions = {}): ConformanceCase[] {
  return templates.map((t, i) => c(`${prefix}/${i + 1}`, t, opts));
}
