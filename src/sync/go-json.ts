// Vault's Go client decodes responses with json.Number and VSO re-encodes them with
// encoding/json. To produce the same bytes (and so the same `_raw` and the same HMAC), Keyport
// keeps every number's source text and encodes like Go: map keys sorted bytewise, HTML-safe
// escaping, no whitespace.

/** A JSON number as it appeared on the wire (Go's json.Number). */
export class JsonNumber {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
  valueOf(): number {
    return Number(this.source);
  }
  toString(): string {
    return this.source;
  }
  toJSON(): number {
    return Number(this.source);
  }
}

export type GoJsonValue =
  | string
  | boolean
  | null
  | JsonNumber
  | number
  | readonly GoJsonValue[]
  | { readonly [key: string]: GoJsonValue };

/** JSON.parse that keeps number literals exactly (Node ≥ 21: the reviver sees the source text). */
export function parseJsonKeepingNumbers(text: string): GoJsonValue {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? new JsonNumber(context.source) : value,
  ) as GoJsonValue;
}

/** Go's encoding/json output for an interface{} decoded with UseNumber. */
export function goMarshal(value: GoJsonValue | undefined): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goJsonString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof JsonNumber) return value.source;
  if (typeof value === "number") return goFloat(value);
  if (Array.isArray(value)) return `[${value.map((v: GoJsonValue) => goMarshal(v)).join(",")}]`;
  const record = value as { readonly [key: string]: GoJsonValue };
  const keys = Object.keys(record).sort(compareBytewise);
  return `{${keys.map((k) => `${goJsonString(k)}:${goMarshal(record[k])}`).join(",")}}`;
}

export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Go escapes <, > and & for HTML safety and U+2028/U+2029 for JavaScript; JSON.stringify does neither. */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** float64 as encoding/json writes it: plain digits for 1e-6 ≤ |x| < 1e21, else exponent form. */
function goFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error("unsupported value: non-finite number");
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go: strconv 'e' format, then a two-digit exponent minimum ("1e-07", "1e+21").
    return x.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(x);
}

/**
 * A destination's `_raw` read back: Vault's response data as it was written, numbers exact; or
 * undefined when it does not parse to an object (a re-render then falls back to asking Vault).
 */
export function parseKeptRaw(bytes: Uint8Array): Record<string, GoJsonValue> | undefined {
  try {
    const data = parseJsonKeepingNumbers(Buffer.from(bytes).toString("utf8"));
    return data !== null && typeof data === "object" && !Array.isArray(data)
      ? (data as Record<string, GoJsonValue>)
      : undefined;
  } catch {
    return undefined;
  }
}
