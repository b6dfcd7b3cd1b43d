// Go's strconv for the engine: float formatting with Go's exact rounding (round half to even on
// the exact binary value), quoting, and parsing integer and float literals with Go's syntax.
import { decodeRune, encodeRune, runeError } from "./go-string.ts";
import { isPrint } from "./unicode.ts";

/** Decimal digits of |x| with the decimal point after `dp` digits (value = 0.d1d2… × 10^dp). */
export interface Decimal {
  digits: string;
  dp: number;
}

/** The exact decimal expansion of a finite double. */
export function exactDecimal(x: number): Decimal {
  x = Math.abs(x);
  if (x === 0) return { digits: "", dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    // mant / 2^-exp = mant * 5^-exp / 10^-exp
    const scaled = mant * 5n ** BigInt(-exp);
    const s = scaled.toString();
    digits = s;
    dp = s.length - -exp;
  }
  return trimDecimal({ digits, dp });
}

function trimDecimal(d: Decimal): Decimal {
  let digits = d.digits.replace(/0+$/, "");
  let dp = d.dp;
  const lead = digits.match(/^0*/)?.[0].length ?? 0;
  digits = digits.slice(lead);
  dp -= lead;
  if (digits === "") dp = 0;
  return { digits, dp };
}

/** Round to `nd` significant digits, half to even on exact ties (strconv's decimal.Round). */
export function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  let up: boolean;
  const next = d.digits.charCodeAt(nd) - 48;
  if (next === 5 && nd + 1 === d.digits.length) {
    up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) return trimDecimal({ digits: d.digits.slice(0, nd), dp: d.dp });
  // Round up: increment the prefix.
  const prefix = d.digits.slice(0, nd).split("");
  let i = nd - 1;
  while (i >= 0 && prefix[i] === "9") {
    prefix[i] = "0";
    i--;
  }
  if (i < 0) return { digits: "1", dp: d.dp + 1 };
  prefix[i] = String.fromCharCode((prefix[i] as string).charCodeAt(0) + 1);
  return trimDecimal({ digits: prefix.join(""), dp: d.dp });
}

/** Shortest digits that round-trip (as strconv with precision -1). */
export function shortestDecimal(x: number): Decimal {
  x = Math.abs(x);
  if (x === 0) return { digits: "", dp: 0 };
  const e = x.toExponential(); // "d.ddde±n"
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(e);
  if (!m) throw new Error(`unexpected exponential form ${e}`);
  const digits = (m[1] ?? "") + (m[2] ?? "");
  return trimDecimal({ digits, dp: Number(m[3]) + 1 });
}

function digitAt(d: Decimal, i: number): string {
  return i < d.digits.length ? (d.digits[i] as string) : "0";
}

function fmtE(d: Decimal, prec: number, fmt: "e" | "E"): string {
  let s = d.digits === "" ? "0" : digitAt(d, 0);
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  let exp = d.digits === "" ? 0 : d.dp - 1;
  s += fmt;
  if (exp < 0) {
    s += "-";
    exp = -exp;
  } else {
    s += "+";
  }
  s += exp < 10 ? `0${exp}` : String(exp);
  return s;
}

function fmtF(d: Decimal, prec: number): string {
  let s = "";
  if (d.dp > 0) {
    const m = Math.min(d.digits.length, d.dp);
    s += d.digits.slice(0, m);
    for (let i = m; i < d.dp; i++) s += "0";
  } else {
    s += "0";
  }
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      s += j < 0 || j >= d.digits.length ? "0" : d.digits[j];
    }
  }
  return s;
}

/** strconv's 'b' format: decimal mantissa, binary exponent (-ddddp±ddd). */
function formatBinaryFloat(x: number): string {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (e === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = e - 1075;
  }
  return `${neg ? "-" : ""}${mant}p${exp >= 0 ? "+" : "-"}${Math.abs(exp)}`;
}

/** strconv's %x format: -0x1.8p+01 style, shortest mantissa when prec < 0. */
function formatHexFloat(x: number, upper: boolean, prec: number): string {
  const neg = x < 0 || Object.is(x, -0);
  x = Math.abs(x);
  let mant = 0n;
  let exp = 0;
  if (x !== 0) {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, x);
    const bits = buf.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    mant = bits & ((1n << 52n) - 1n);
    if (e === 0) {
      // normalize a subnormal
      exp = -1022;
      while ((mant & (1n << 52n)) === 0n) {
        mant <<= 1n;
        exp--;
      }
      mant &= (1n << 52n) - 1n;
    } else {
      exp = e - 1023;
    }
  }
  // mantissa fraction as 13 hex digits
  let frac = mant.toString(16).padStart(13, "0");
  let lead = x === 0 ? 0 : 1;
  if (prec < 0) {
    frac = frac.replace(/0+$/, "");
  } else if (prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    let m = (BigInt(lead) << 52n) | mant;
    const half = 1n << (shift - 1n);
    const rem = m & ((1n << shift) - 1n);
    m >>= shift;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
    if (m >> BigInt(prec * 4) >= 2n) {
      m >>= 1n;
      exp++;
    }
    lead = Number(m >> BigInt(prec * 4));
    frac = prec === 0 ? "" : (m & ((1n << BigInt(prec * 4)) - 1n)).toString(16).padStart(prec, "0");
  } else {
    frac = frac.padEnd(prec, "0");
  }
  let s = `0x${lead}${frac === "" ? "" : `.${frac}`}p${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  if (upper) s = s.toUpperCase();
  return (neg ? "-" : "") + s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G x X. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "+Inf";
  if (x === Number.NEGATIVE_INFINITY) return "-Inf";
  if (fmt === "x" || fmt === "X") return formatHexFloat(x, fmt === "X", prec);
  if (fmt === "b") return formatBinaryFloat(x);
  const neg = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(x);
    switch (fmt) {
      case "e":
      case "E":
        prec = Math.max(d.digits.length - 1, 0);
        break;
      case "f":
      case "F":
        prec = Math.max(d.digits.length - d.dp, 0);
        break;
      case "g":
      case "G":
        prec = d.digits.length;
        break;
    }
  } else {
    const exact = exactDecimal(x);
    switch (fmt) {
      case "e":
      case "E":
        d = roundDecimal(exact, 1 + prec);
        break;
      case "f":
      case "F":
        d = roundDecimal(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(exact, prec);
    }
  }
  let body: string;
  switch (fmt) {
    case "e":
    case "E":
      body = fmtE(d, prec, fmt);
      break;
    case "f":
    case "F":
      body = fmtF(d, prec);
      break;
    default: {
      let eprec = prec;
      if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (d.digits !== "" && (exp < -4 || exp >= eprec)) {
        if (prec > d.digits.length) prec = d.digits.length;
        body = fmtE(d, prec - 1, fmt === "g" ? "e" : "E");
      } else {
        if (prec > d.dp) prec = d.digits.length;
        body = fmtF(d, Math.max(prec - d.dp, 0));
      }
    }
  }
  return (neg ? "-" : "") + body;
}

const lowerHex = "0123456789abcdef";

function appendEscapedRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return `\\${String.fromCharCode(r)}`;
  if (asciiOnly) {
    if (r < 0x80 && isPrint(r)) return String.fromCharCode(r);
  } else if (isPrint(r)) {
    return encodeRune(r);
  }
  switch (r) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (r < 0x20 || r === 0x7f) return `\\x${lowerHex[r >> 4]}${lowerHex[r & 15]}`;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, "0")}`;
  return `\\U${r.toString(16).padStart(8, "0")}`;
}

/** strconv.Quote / QuoteToASCII / QuoteRune over a Go byte string; the result is a Go string. */
export function quote(s: string, asciiOnly = false, quoteChar = 0x22): string {
  let out = String.fromCharCode(quoteChar);
  for (let i = 0; i < s.length; ) {
    const [r, w] = decodeRune(s, i);
    if (w === 1 && r === runeError) {
      const b = s.charCodeAt(i);
      out += `\\x${lowerHex[b >> 4]}${lowerHex[b & 15]}`;
    } else {
      out += appendEscapedRune(r, quoteChar, asciiOnly);
    }
    i += w;
  }
  return out + String.fromCharCode(quoteChar);
}

export function quoteRune(r: number, asciiOnly = false): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return `'${appendEscapedRune(r, 0x27, asciiOnly)}'`;
}

/** strconv.CanBackquote */
export function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; ) {
    const [r, w] = decodeRune(s, i);
    i += w;
    if (w > 1) {
      if (r === 0xfeff) return false;
      continue;
    }
    if (r === runeError) return false;
    if ((r < 0x20 && r !== 0x09) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

export class SyntaxError_ extends Error {}

/** strconv.ParseInt(s, base, 64); base 0 accepts 0x/0o/0b/0 prefixes and underscores. Returns undefined on error. */
export function parseInt64(s: string, base = 0): bigint | undefined {
  const v = parseUint(s.replace(/^[+-]/, ""), base);
  if (v === undefined) return undefined;
  const neg = s.startsWith("-");
  const r = neg ? -v : v;
  if (r > 0x7fffffffffffffffn || r < -0x8000000000000000n) return undefined;
  return r;
}

export function parseUint(s: string, base = 0): bigint | undefined {
  if (s === "") return undefined;
  const base0 = base === 0;
  let digits = s;
  if (base === 0) {
    base = 10;
    if (s[0] === "0") {
      const p = s[1]?.toLowerCase();
      if (s.length >= 3 && p === "b") {
        base = 2;
        digits = s.slice(2);
      } else if (s.length >= 3 && p === "o") {
        base = 8;
        digits = s.slice(2);
      } else if (s.length >= 3 && p === "x") {
        base = 16;
        digits = s.slice(2);
      } else {
        base = 8;
        digits = s.slice(1);
      }
    }
  }
  if (base0 && !underscoreOK(s)) return undefined;
  if (base0) digits = digits.replace(/_/g, "");
  if (digits === "") return s === "0" ? 0n : undefined;
  let v = 0n;
  const b = BigInt(base);
  for (const c of digits.toLowerCase()) {
    const d = c >= "0" && c <= "9" ? c.charCodeAt(0) - 48 : c >= "a" && c <= "z" ? c.charCodeAt(0) - 87 : 99;
    if (d >= base) return undefined;
    v = v * b + BigInt(d);
  }
  if (v > 0xffffffffffffffffn) return undefined;
  return v;
}

/** strconv's underscoreOK: underscores only between digits or after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1] as string)) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** strconv.ParseFloat(s, 64): decimal and hex floats, inf/nan, underscores only with a base prefix. */
export function parseFloat64(s: string): number | undefined {
  const lower = s.toLowerCase();
  const sign = lower.startsWith("-") ? -1 : 1;
  const body = lower.replace(/^[+-]/, "");
  if (body === "inf" || body === "infinity") return sign * Number.POSITIVE_INFINITY;
  if (body === "nan") return Number.NaN;
  if (/^0x/.test(body)) {
    if (!underscoreOK(s)) return undefined;
    const m = /^0x([0-9a-f_]*)(?:\.([0-9a-f_]*))?p([+-]?[0-9_]+)$/.exec(body);
    if (!m) return undefined;
    const intPart = (m[1] ?? "").replace(/_/g, "");
    const frac = (m[2] ?? "").replace(/_/g, "");
    if (intPart === "" && frac === "") return undefined;
    const mant = BigInt(`0x${intPart}${frac}` === "0x" ? "0" : `0x${intPart}${frac}`);
    const exp = Number((m[3] ?? "0").replace(/_/g, "")) - 4 * frac.length;
    return sign * Number(mant) * 2 ** exp;
  }
  if (s.includes("_") && !underscoreOK(s)) return undefined;
  const plain = body.replace(/_/g, "");
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(plain)) return undefined;
  const v = Number(plain);
  if (!Number.isFinite(v)) return undefined;
  return sign * v;
}

export function formatInt(v: bigint, base: number): string {
  return v.toString(base);
}

export { encodeRune };

/** strconv.Unquote for "…", `…` and '…' literals over Go byte strings; undefined when invalid. */
export function unquote(s: string): string | undefined {
  const q = s[0];
  if (s.length < 2 || s[s.length - 1] !== q) return undefined;
  const body = s.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) return undefined;
    return body.replace(/\r/g, "");
  }
  if (q !== '"' && q !== "'") return undefined;
  let out = "";
  let count = 0;
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string;
    if (c === q) return undefined;
    if (c === "\n") return undefined;
    if (c !== "\\") {
      const [, w] = decodeRune(body, i);
      out += body.slice(i, i + w);
      i += w;
      count++;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    count++;
    switch (e) {
      case "a":
        out += "\x07";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "v":
        out += "\v";
        break;
      case "\\":
        out += "\\";
        break;
      case "'":
      case '"':
        if (e !== q) return undefined;
        out += e;
        break;
      case "x":
      case "u":
      case "U": {
        const n = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = body.slice(i, i + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
        i += n;
        const v = Number.parseInt(hex, 16);
        if (e === "x") {
          // A single byte, even in a double-quoted string.
          if (q === "'") out += encodeRune(v);
          else out += String.fromCharCode(v);
        } else {
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
          out += encodeRune(v);
        }
        break;
      }
      case "0":
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "6":
      case "7": {
        const oct = body.slice(i - 1, i + 2);
        if (!/^[0-7]{3}$/.test(oct)) return undefined;
        const v = Number.parseInt(oct, 8);
        if (v > 255) return undefined;
        i += 2;
        out += q === "'" ? encodeRune(v) : String.fromCharCode(v);
        break;
      }
      default:
        return undefined;
    }
  }
  if (q === "'" && count !== 1) return undefined;
  return out;
}
