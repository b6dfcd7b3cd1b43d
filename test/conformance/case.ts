// The shape of a conformance case: a template rendered by Go's text/template with VSO's sprig
// functions (test/conformance/go) and by Keyport's engine, whose outputs must match.

export type Check =
  /** byte-for-byte equality (the default) */
  | { kind: "exact" }
  /** the output is a bcrypt hash of `password` (both Go's and Keyport's must verify) */
  | { kind: "bcrypt"; password: string }
  /** `user:` followed by a bcrypt hash of `password` */
  | { kind: "htpasswd"; user: string; password: string }
  /** same runes in any order (shuffle) */
  | { kind: "sameRunes" }
  /** a decimal integer in [min, max) */
  | { kind: "intRange"; min: number; max: number };

export interface ConformanceCase {
  name: string;
  template: string;
  /** templates parsed into the same set before `template` (as SecretTransformation sourceTemplates) */
  sources?: Array<{ name: string; text: string }>;
  /** Vault secret data as JSON text (numbers keep their text, as json.Number), or "@fixture" */
  secrets?: string;
  /** kv-v2 metadata as JSON text, or "@fixture" */
  metadata?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  check?: Check;
}

/** What Go produced for a case: its output (UTF-8 text or base64 bytes) or that it failed. */
export interface Expected {
  output?: string;
  outputBase64?: string;
  error?: string;
}

/** The file Go reads: shared fixtures and the cases. */
export interface CaseFile {
  fixtures: Record<string, string>;
  cases: ConformanceCase[];
}

/** Resolves "@name" references to fixture text. */
export function resolveFixture(
  value: string | undefined,
  fixtures: Record<string, string>,
): string | undefined {
  if (value === undefined || !value.startsWith("@")) return value;
  const text = fixtures[value.slice(1)];
  if (text === undefined) throw new Error(`unknown fixture ${value}`);
  return text;
}
