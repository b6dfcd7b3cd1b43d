// encoding/json for modelled Go values: Marshal (sorted map keys, HTML-safe escaping unless
// turned off, Go's float format), MarshalIndent, and Unmarshal into interface{} (numbers become
// float64, as sprig's fromJson sees them).
import { FuncError } from "./errors.ts";
import { decodeRune, goString, jsString } from "./go-string.ts";
import { formatFloat } from "./strconv.ts";
import { GoInt, GoMap, GoOpaque, GoSlice, GoStruct, type GoValue, JsonNumber, sortedKeys } from "./values.ts";

const hex = "0123456789abcdef";

export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; ) {
    const b = s.charCodeAt(i);
    if (b < 0x80) {
      i++;
      if (
        b >= 0x20 &&
        b !== 0x22 &&
        b !== 0x5c &&
        !(escapeHTML && (b === 0x3c || b === 0x3e || b === 0x26))
      ) {
        out += s[i - 1];
        continue;
      }
      switch (b) {
        case 0x5c:
          out += "\\\\";
          break;
        case 0x22:
          out += '\\"';
          break;
        case 0x08:
          out += "\\b";
          break;
        case 0x0c:
          out += "\\f";
          break;
        case 0x0a:
          out += "\\n";
          break;
        case 0x0d:
          out += "\\r";
          break;
        case 0x09:
          out += "\\t";
          break;
        default:
          out += `\\u00${hex[b >> 4]}${hex[b & 15]}`;
      }
      continue;
    }
    const [r, w] = decodeRune(s, i);
    if (r === 0xfffd && w === 1) out += "\\ufffd";
    else if (r === 0x2028 || r === 0x2029) out += `\\u202${hex[r & 15]}`;
    else out += s.slice(i, i + w);
    i += w;
  }
  return `${out}"`;
}

function jsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new FuncError("json: unsupported value");
  const abs = Math.abs(x);
  let fmt = "f";
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = "e";
  let s = formatFloat(x, fmt, -1);
  if (fmt === "e") {
    // clean up e-09 to e-9
    const n = s.length;
    if (n >= 4 && s[n - 4] === "e" && s[n - 3] === "-" && s[n - 2] === "0")
      s = s.slice(0, n - 2) + s.slice(n - 1);
  }
  return s;
}

function isEmptyJsonValue(v: GoValue): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "string") return v === "";
  if (v instanceof JsonNumber) return v.source === "";
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") return v === 0;
  if (v instanceof GoInt) return v.value === 0n;
  if (v instanceof GoSlice) return v.items.length === 0;
  if (v instanceof GoMap) return v.entries.size === 0;
  return false;
}

/** json.Marshal; `escapeHTML` false gives Encoder.SetEscapeHTML(false) output. */
export function marshal(v: GoValue, escapeHTML = true, depth = 0): string {
  if (depth > 10_000) throw new FuncError("json: value too deep");
  if (v === undefined || v === null) return "null";
  if (typeof v === "string") return jsonString(v, escapeHTML);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return jsonFloat(v);
  if (v instanceof GoInt) return v.value.toString();
  if (v instanceof JsonNumber) {
    const s = v.source === "" ? "0" : v.source;
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s))
      throw new FuncError("json: invalid number literal");
    return s;
  }
  if (v instanceof GoSlice) {
    if (v.isNil) return "null";
    return `[${v.items.map((x) => marshal(x, escapeHTML, depth + 1)).join(",")}]`;
  }
  if (v instanceof GoMap) {
    if (v.isNil) return "null";
    return `{${sortedKeys(v)
      .map((k) => `${jsonString(k, escapeHTML)}:${marshal(v.entries.get(k), escapeHTML, depth + 1)}`)
      .join(",")}}`;
  }
  if (v instanceof GoStruct) {
    const parts: string[] = [];
    for (const f of v.fields) {
      const value = v.values.get(f.name);
      const name = f.json?.name ?? f.name;
      if (f.json?.omitEmpty && isEmptyJsonValue(value)) continue;
      const encoded =
        (value === null || value === undefined) && f.type.startsWith("map[")
          ? "null"
          : marshal(value, escapeHTML, depth + 1);
      parts.push(`${jsonString(name, escapeHTML)}:${encoded}`);
    }
    return `{${parts.join(",")}}`;
  }
  if (v instanceof GoOpaque) return v.json();
  return "null";
}

/** json.Indent of compact JSON with prefix "" and the given indent. */
export function indent(compact: string, ind: string): string {
  let out = "";
  let depth = 0;
  let inString = false;
  let needIndent = false;
  const newline = () => `\n${ind.repeat(depth)}`;
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i] as string;
    if (inString) {
      out += c;
      if (c === "\\") {
        out += compact[i + 1] ?? "";
        i++;
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (needIndent && c !== "]" && c !== "}") {
      needIndent = false;
      depth++;
      out += newline();
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case "{":
      case "[":
        out += c;
        needIndent = true;
        break;
      case ",":
        out += c + newline();
        break;
      case ":":
        out += ": ";
        break;
      case "}":
      case "]":
        if (needIndent) {
          needIndent = false;
        } else {
          depth--;
          out += newline();
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** json.Unmarshal into interface{}; throws FuncError on invalid input. */
export function unmarshal(text: string, strict = false): GoValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsString(text));
  } catch {
    throw new FuncError("invalid JSON");
  }
  // Go decodes what it can; a number out of float64 range becomes nil and an error is recorded.
  let outOfRange = false;
  const fromParsed = (x: unknown): GoValue => {
    if (x === null) return null;
    if (typeof x === "string") return goString(x);
    if (typeof x === "boolean") return x;
    if (typeof x === "number") {
      if (!Number.isFinite(x)) {
        outOfRange = true;
        return null;
      }
      return x;
    }
    if (Array.isArray(x)) return new GoSlice("interface {}", x.map(fromParsed));
    const m = new Map<string, GoValue>();
    for (const k of Object.keys(x as object))
      m.set(goString(k), fromParsed((x as Record<string, unknown>)[k]));
    return new GoMap("interface {}", m);
  };
  const value = fromParsed(parsed);
  if (strict && outOfRange) throw new FuncError("json: number out of range");
  return value;
}
