// The date functions on VSO's list: ago, duration, durationRound and mustToDate, with Go's
// time.Duration formatting and time.Parse layouts. The local time zone is UTC, as in VSO's
// container image.
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { jsonString } from "../json.ts";
import { parseInt64 } from "../strconv.ts";
import { GoInt, GoOpaque, type GoValue } from "../values.ts";
import { asString } from "./convert.ts";

const NS = 1n;
const US = 1000n * NS;
const MS = 1000n * US;
const SEC = 1000n * MS;
const MIN = 60n * SEC;
const HOUR = 60n * MIN;

/** time.Duration.String */
export function durationString(d: bigint): string {
  d = BigInt.asIntN(64, d);
  if (d === 0n) return "0s";
  const neg = d < 0n;
  let u = neg ? -d : d;
  u = BigInt.asUintN(64, u);
  let out: string;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let s = "";
    let print = false;
    for (let i = 0; i < prec; i++) {
      const digit = v % 10n;
      print = print || digit !== 0n;
      if (print) s = digit.toString() + s;
      v /= 10n;
    }
    if (print) s = `.${s}`;
    return [s, v];
  };
  if (u < SEC) {
    let prec: number;
    let unit: string;
    if (u < US) {
      return `${neg ? "-" : ""}${u}ns`;
    }
    if (u < MS) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [f, w] = frac(u, prec);
    out = `${w}${f}${unit}`;
  } else {
    const [f, w0] = frac(u, 9);
    let w = w0;
    out = `${w % 60n}${f}s`;
    w /= 60n;
    if (w > 0n) {
      out = `${w % 60n}m${out}`;
      w /= 60n;
      if (w > 0n) out = `${w}h${out}`;
    }
  }
  return (neg ? "-" : "") + out;
}

const units: Record<string, bigint> = { ns: NS, us: US, µs: US, μs: US, ms: MS, s: SEC, m: MIN, h: HOUR };

/** time.ParseDuration; undefined on error. */
export function parseDuration(s: string): bigint | undefined {
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return undefined;
  let total = 0n;
  const re = /^([0-9]*)(\.([0-9]*))?([^0-9.]+)/;
  const str = Buffer.from(s, "latin1").toString("utf8");
  let rest = str;
  while (rest !== "") {
    const m = re.exec(rest);
    if (!m) return undefined;
    const intPart = m[1] ?? "";
    const fracPart = m[3] ?? "";
    if (intPart === "" && (m[2] === undefined || fracPart === "")) return undefined;
    const unitName = m[4] as string;
    const unitMatch = /^(ns|us|µs|μs|ms|s|m|h)/.exec(unitName);
    if (!unitMatch || unitMatch[0] !== unitName) return undefined;
    const unit = units[unitName] as bigint;
    let v = (intPart === "" ? 0n : BigInt(intPart)) * unit;
    if (fracPart !== "") {
      const scale = 10n ** BigInt(fracPart.length);
      v += (BigInt(fracPart) * unit) / scale;
    }
    total += v;
    if (total > 2n ** 63n) return undefined;
    rest = rest.slice(m[0].length);
  }
  if (!neg && total > 2n ** 63n - 1n) return undefined;
  return neg ? -total : total;
}

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A time.Time: instant in ms plus nanoseconds below the ms, and a fixed zone. */
export class GoTime extends GoOpaque {
  readonly type = "time.Time";
  readonly kind = "struct";
  readonly epochMs: number;
  readonly nanos: number;
  readonly offsetSec: number;
  readonly zoneName: string;
  constructor(epochMs: number, nanos: number, offsetSec: number, zoneName: string) {
    super();
    this.epochMs = epochMs;
    this.nanos = nanos;
    this.offsetSec = offsetSec;
    this.zoneName = zoneName;
  }
  private local(): Date {
    return new Date(this.epochMs + this.offsetSec * 1000);
  }
  format(layout: string): string {
    return formatTime(this, layout);
  }
  string(): string {
    return this.format("2006-01-02 15:04:05.999999999 -0700 MST");
  }
  json(): string {
    return jsonString(this.format("2006-01-02T15:04:05.999999999Z07:00"), true);
  }
  equals(other: GoOpaque): boolean {
    return (
      other instanceof GoTime &&
      other.epochMs === this.epochMs &&
      other.nanos === this.nanos &&
      other.offsetSec === this.offsetSec
    );
  }
  fields() {
    const d = this.local();
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      nanos: (this.epochMs - Math.floor(this.epochMs / 1000) * 1000) * 1_000_000 + this.nanos,
      weekday: d.getUTCDay(),
    };
  }
  method(name: string) {
    const int = (v: number) => new GoInt("int", BigInt(v));
    const f = this.fields();
    const m: Record<string, { arity: number; params: string[]; call: (a: GoValue[]) => GoValue }> = {
      Year: { arity: 0, params: [], call: () => int(f.year) },
      Day: { arity: 0, params: [], call: () => int(f.day) },
      Hour: { arity: 0, params: [], call: () => int(f.hour) },
      Minute: { arity: 0, params: [], call: () => int(f.minute) },
      Second: { arity: 0, params: [], call: () => int(f.second) },
      Nanosecond: { arity: 0, params: [], call: () => int(f.nanos) },
      Unix: { arity: 0, params: [], call: () => new GoInt("int64", BigInt(Math.floor(this.epochMs / 1000))) },
      UnixNano: {
        arity: 0,
        params: [],
        call: () =>
          new GoInt("int64", BigInt(Math.floor(this.epochMs / 1000)) * 1_000_000_000n + BigInt(f.nanos)),
      },
      Format: { arity: 1, params: ["string"], call: (a) => this.format(a[0] as string) },
      String: { arity: 0, params: [], call: () => this.string() },
      UTC: { arity: 0, params: [], call: () => new GoTime(this.epochMs, this.nanos, 0, "UTC") },
      IsZero: { arity: 0, params: [], call: () => this.epochMs === zeroTimeMs && this.nanos === 0 },
    };
    return Object.hasOwn(m, name) ? m[name] : undefined;
  }
}

const zeroTimeMs = Date.UTC(1, 0, 1) - 0;
const pad = (n: number, w: number) => String(Math.abs(n)).padStart(w, "0");

type Chunk =
  | { kind: "lit"; text: string }
  | { kind: "std"; name: string; digits?: number; trim?: boolean; sep?: string };

const stdTokens = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
  "002",
  "__2",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "1",
  "2",
  "3",
  "4",
  "5",
  "PM",
  "pm",
];

function tokenize(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = "";
  for (let i = 0; i < layout.length; ) {
    // fractional seconds: .000 / ,000 / .999 / ,999 after a seconds field
    const fm = /^[.,](0+|9+)/.exec(layout.slice(i));
    if (fm && !/[0-9]/.test(layout[i + fm[0].length] ?? "")) {
      if (lit) out.push({ kind: "lit", text: lit });
      lit = "";
      out.push({
        kind: "std",
        name: "frac",
        digits: (fm[1] as string).length,
        trim: (fm[1] as string)[0] === "9",
        sep: fm[0][0] as string,
      });
      i += fm[0].length;
      continue;
    }
    const tok = stdTokens.find((t) => layout.startsWith(t, i));
    if (tok) {
      // "Jan"/"Mon" must not be followed by a lower-case letter (Janet, Monday handled above).
      if ((tok === "Jan" || tok === "Mon") && /[a-z]/.test(layout[i + 3] ?? "")) {
        lit += layout[i];
        i++;
        continue;
      }
      if (lit) out.push({ kind: "lit", text: lit });
      lit = "";
      out.push({ kind: "std", name: tok });
      i += tok.length;
      continue;
    }
    lit += layout[i];
    i++;
  }
  if (lit) out.push({ kind: "lit", text: lit });
  return out;
}

function formatZone(offset: number, colon: boolean, seconds: boolean, z: boolean, short: boolean): string {
  if (z && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = sign + pad(h, 2);
  if (short) return out;
  out += (colon ? ":" : "") + pad(m, 2);
  if (seconds) out += (colon ? ":" : "") + pad(s, 2);
  return out;
}

function formatTime(t: GoTime, layout: string): string {
  const f = t.fields();
  let out = "";
  for (const c of tokenize(layout)) {
    if (c.kind === "lit") {
      out += c.text;
      continue;
    }
    switch (c.name) {
      case "January":
        out += monthNames[f.month - 1];
        break;
      case "Jan":
        out += (monthNames[f.month - 1] as string).slice(0, 3);
        break;
      case "Monday":
        out += dayNames[f.weekday];
        break;
      case "Mon":
        out += (dayNames[f.weekday] as string).slice(0, 3);
        break;
      case "2006":
        out += pad(f.year, 4);
        break;
      case "06":
        out += pad(f.year % 100, 2);
        break;
      case "01":
        out += pad(f.month, 2);
        break;
      case "1":
        out += String(f.month);
        break;
      case "02":
        out += pad(f.day, 2);
        break;
      case "_2":
        out += String(f.day).padStart(2, " ");
        break;
      case "2":
        out += String(f.day);
        break;
      case "15":
        out += pad(f.hour, 2);
        break;
      case "03":
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case "3":
        out += String(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case "04":
        out += pad(f.minute, 2);
        break;
      case "4":
        out += String(f.minute);
        break;
      case "05":
        out += pad(f.second, 2);
        break;
      case "5":
        out += String(f.second);
        break;
      case "PM":
        out += f.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += f.hour >= 12 ? "pm" : "am";
        break;
      case "MST":
        out += t.zoneName !== "" ? t.zoneName : formatZone(t.offsetSec, false, false, false, false);
        break;
      case "frac": {
        let digits = String(f.nanos).padStart(9, "0").slice(0, c.digits);
        if (c.trim) {
          digits = digits.replace(/0+$/, "");
          if (digits !== "") out += (c.sep as string) + digits;
        } else {
          out += (c.sep as string) + digits;
        }
        break;
      }
      case "002": {
        const start = Date.UTC(f.year, 0, 1);
        const cur = Date.UTC(f.year, f.month - 1, f.day);
        out += pad((cur - start) / 86400000 + 1, 3);
        break;
      }
      default: {
        const z = c.name.startsWith("Z");
        const body = z ? c.name.slice(1) : c.name.slice(1);
        const colon = body.includes(":");
        const digits = body.replace(/:/g, "");
        out += formatZone(t.offsetSec, colon, digits.length === 6, z, digits.length === 2);
      }
    }
  }
  return out;
}

function parseTime(layout: string, value: string): GoTime {
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zoneName = "";
  let v = value;
  const bad = () => new FuncError("parsing time: the value does not match the layout");
  const num = (min: number, max: number, fixed: boolean): number => {
    const m = fixed ? new RegExp(`^\\d{${min}}`).exec(v) : new RegExp(`^\\d{${min},${max}}`).exec(v);
    if (!m) throw bad();
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  for (const c of tokenize(layout)) {
    if (c.kind === "lit") {
      if (!v.startsWith(c.text)) throw bad();
      v = v.slice(c.text.length);
      continue;
    }
    switch (c.name) {
      case "2006":
        year = num(4, 4, true);
        break;
      case "06": {
        const y = num(2, 2, true);
        year = y >= 69 ? 1900 + y : 2000 + y;
        break;
      }
      case "January":
      case "Jan": {
        const names = c.name === "Jan" ? monthNames.map((n) => n.slice(0, 3)) : monthNames;
        const i = names.findIndex((n) => v.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) throw bad();
        month = i + 1;
        v = v.slice((names[i] as string).length);
        break;
      }
      case "Monday":
      case "Mon": {
        const names = c.name === "Mon" ? dayNames.map((n) => n.slice(0, 3)) : dayNames;
        const i = names.findIndex((n) => v.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) throw bad();
        v = v.slice((names[i] as string).length);
        break;
      }
      case "01":
        month = num(2, 2, true);
        break;
      case "1":
        month = num(1, 2, false);
        break;
      case "02":
        day = num(2, 2, true);
        break;
      case "_2":
        if (v.startsWith(" ")) v = v.slice(1);
        day = num(1, 2, false);
        break;
      case "2":
        day = num(1, 2, false);
        break;
      case "15":
        hour = num(1, 2, false);
        break;
      case "03":
        hour = num(2, 2, true);
        break;
      case "3":
        hour = num(1, 2, false);
        break;
      case "04":
        minute = num(2, 2, true);
        break;
      case "4":
        minute = num(1, 2, false);
        break;
      case "05":
        second = num(2, 2, true);
        break;
      case "5":
        second = num(1, 2, false);
        break;
      case "PM":
      case "pm": {
        const m = /^(AM|PM|am|pm)/.exec(v);
        if (!m) throw bad();
        pm = (m[0] as string).toUpperCase() === "PM";
        v = v.slice(2);
        break;
      }
      case "frac": {
        const m = /^[.,](\d+)/.exec(v);
        if (m) {
          nanos = Number((m[1] as string).slice(0, 9).padEnd(9, "0"));
          v = v.slice(m[0].length);
        } else if (!c.trim) {
          throw bad();
        }
        break;
      }
      case "MST": {
        const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(v);
        if (!m) throw bad();
        zoneName = m[0] as string;
        offset = zoneName === "UTC" || zoneName === "GMT" ? 0 : undefined;
        v = v.slice(m[0].length);
        break;
      }
      default: {
        const z = c.name.startsWith("Z");
        if (z && v.startsWith("Z")) {
          offset = 0;
          zoneName = "UTC";
          v = v.slice(1);
          break;
        }
        const m = /^([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?/.exec(v);
        if (!m) throw bad();
        const sign = m[1] === "-" ? -1 : 1;
        offset = sign * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
        zoneName = "";
        v = v.slice(m[0].length);
      }
    }
  }
  if (v !== "") throw new FuncError("parsing time: extra text");
  if (pm !== undefined) {
    if (hour > 12) throw bad();
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new FuncError("parsing time: value out of range");
  }
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > dim) throw new FuncError("parsing time: day out of range");
  let off: number;
  let name: string;
  if (offset === undefined) {
    off = 0;
    name = zoneName || "UTC";
  } else if (zoneName === "") {
    off = offset;
    name = offset === 0 ? "UTC" : "";
  } else {
    off = offset;
    name = zoneName;
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, Math.floor(nanos / 1_000_000));
  return new GoTime(d.getTime() - off * 1000, nanos % 1_000_000, off, name);
}

function durationSeconds(v: GoValue): bigint {
  if (typeof v === "string") return parseInt64(v, 10) ?? 0n;
  if (v instanceof GoInt && v.type === "int64") return v.value;
  return 0n;
}

function durationRound(v: GoValue): string {
  let d = 0n;
  if (typeof v === "string") d = parseDuration(v) ?? 0n;
  else if (v instanceof GoInt && v.type === "int64") d = v.value;
  else if (v instanceof GoTime) d = BigInt(Date.now() - v.epochMs) * MS;
  let u = BigInt.asUintN(64, d);
  if (d < 0n) u = BigInt.asUintN(64, -d);
  const year = HOUR * 24n * 365n;
  const month = HOUR * 24n * 30n;
  const day = HOUR * 24n;
  if (u > year) return `${u / year}y`;
  if (u > month) return `${u / month}mo`;
  if (u > day) return `${u / day}d`;
  if (u > HOUR) return `${u / HOUR}h`;
  if (u > MIN) return `${u / MIN}m`;
  if (u > SEC) return `${u / SEC}s`;
  return "0s";
}

function ago(v: GoValue): string {
  let t = Date.now();
  if (v instanceof GoTime) t = v.epochMs;
  else if (v instanceof GoInt && (v.type === "int64" || v.type === "int")) t = Number(v.value) * 1000;
  const ms = Date.now() - t;
  const rounded = BigInt(Math.round(ms / 1000)) * SEC;
  return durationString(rounded);
}

export const dateFunctions: Record<string, FuncSpec> = {
  ago: spec(["interface {}"], ([v]) => ago(v)),
  duration: spec(["interface {}"], ([v]) => durationString(BigInt.asIntN(64, durationSeconds(v) * SEC))),
  durationRound: spec(["interface {}"], ([v]) => durationRound(v)),
  mustToDate: spec(["string", "string"], ([layout, value]) => parseTime(asString(layout), asString(value))),
};
