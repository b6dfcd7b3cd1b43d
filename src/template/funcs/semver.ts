// sprig's semver and semverCompare, with the parsing and constraint rules of
// Masterminds/semver v3.4.0 (loose versions like "1.2", x-ranges, ~, ^, hyphen ranges, ||).
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { jsonString } from "../json.ts";
import { GoInt, GoOpaque, GoStruct, type GoValue } from "../values.ts";
import { asString } from "./convert.ts";

// semver v3.4.0 parses with CoerceNewVersion on: the loose pattern, then prerelease and
// metadata checks.
const looseVersionRe =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

export class SemverVersion extends GoOpaque {
  readonly type = "*semver.Version";
  readonly kind = "ptr";
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
  constructor(major: bigint, minor: bigint, patch: bigint, pre: string, metadata: string, original: string) {
    super();
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.metadata = metadata;
    this.original = original;
  }
  string(): string {
    return `${this.major}.${this.minor}.${this.patch}${this.pre ? `-${this.pre}` : ""}${this.metadata ? `+${this.metadata}` : ""}`;
  }
  json(): string {
    return jsonString(this.string(), true);
  }
  override structView(): GoStruct {
    const fields = [
      { name: "major", type: "uint64" },
      { name: "minor", type: "uint64" },
      { name: "patch", type: "uint64" },
      { name: "pre", type: "string" },
      { name: "metadata", type: "string" },
      { name: "original", type: "string" },
    ];
    return new GoStruct(
      "semver.Version",
      true,
      fields,
      new Map<string, GoValue>([
        ["major", new GoInt("uint64", this.major)],
        ["minor", new GoInt("uint64", this.minor)],
        ["patch", new GoInt("uint64", this.patch)],
        ["pre", this.pre],
        ["metadata", this.metadata],
        ["original", this.original],
      ]),
    );
  }
  equals(other: GoOpaque): boolean {
    return other === this;
  }
  method(name: string) {
    const u64 = (v: bigint) => new GoInt("uint64", v);
    const other = (a: GoValue[]) => a[0] as SemverVersion;
    const m: Record<string, { arity: number; params: string[]; call: (a: GoValue[]) => GoValue }> = {
      Major: { arity: 0, params: [], call: () => u64(this.major) },
      Minor: { arity: 0, params: [], call: () => u64(this.minor) },
      Patch: { arity: 0, params: [], call: () => u64(this.patch) },
      Prerelease: { arity: 0, params: [], call: () => this.pre },
      Metadata: { arity: 0, params: [], call: () => this.metadata },
      Original: { arity: 0, params: [], call: () => this.original },
      String: { arity: 0, params: [], call: () => this.string() },
      LessThan: { arity: 1, params: ["*semver.Version"], call: (a) => compare(this, other(a)) < 0 },
      GreaterThan: { arity: 1, params: ["*semver.Version"], call: (a) => compare(this, other(a)) > 0 },
      Equal: { arity: 1, params: ["*semver.Version"], call: (a) => compare(this, other(a)) === 0 },
      Compare: {
        arity: 1,
        params: ["*semver.Version"],
        call: (a) => new GoInt("int", BigInt(compare(this, other(a)))),
      },
    };
    return Object.hasOwn(m, name) ? m[name] : undefined;
  }
}

const u64max = 0xffffffffffffffffn;

export function newVersion(v: string): SemverVersion {
  const m = looseVersionRe.exec(v);
  if (!m) throw new FuncError("invalid semantic version");
  const seg = (x: string | undefined) => {
    if (x === undefined || x === "") return 0n;
    const n = BigInt(x.replace(/^\./, ""));
    if (n > u64max) throw new FuncError("error parsing version segment");
    return n;
  };
  const pre = m[5] ?? "";
  for (const p of pre === "" ? [] : pre.split(".")) {
    if (/^[0-9]+$/.test(p) && p.length > 1 && p[0] === "0")
      throw new FuncError("version segment starts with 0");
  }
  return new SemverVersion(seg(m[1]), seg(m[2]), seg(m[3]), pre, m[8] ?? "", v);
}

function cmpSeg(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return o !== "" ? -1 : 1;
  if (o === "") return s !== "" ? 1 : -1;
  const oNum = /^\d+$/.test(o) && BigInt(o) <= u64max;
  const sNum = /^\d+$/.test(s) && BigInt(s) <= u64max;
  if (!oNum && !sNum) return s > o ? 1 : -1;
  if (!oNum) return -1;
  if (!sNum) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split(".");
  const op = o.split(".");
  const l = Math.max(sp.length, op.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(sp[i] ?? "", op[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

export function compare(v: SemverVersion, o: SemverVersion): number {
  return (
    cmpSeg(v.major, o.major) ||
    cmpSeg(v.minor, o.minor) ||
    cmpSeg(v.patch, o.patch) ||
    (v.pre === "" && o.pre === ""
      ? 0
      : v.pre === ""
        ? 1
        : o.pre === ""
          ? -1
          : comparePrerelease(v.pre, o.pre))
  );
}

const S = "[\\t\\n\\f\\r ]";
const cv =
  "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
const ops = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const constraintRe = new RegExp(`^${S}*(${ops})${S}*(${cv})${S}*$`);
const rangeRe = new RegExp(`${S}*(${cv})${S}+-${S}+(${cv})${S}*`, "g");
const findRe = new RegExp(`(${ops})${S}*(${cv})`, "g");
const validRe = new RegExp(`^(${S}*(${ops})${S}*(${cv})${S}*)((?:${S}+|,${S}*)(${ops})${S}*(${cv})${S}*)*$`);

interface Constraint {
  con: SemverVersion;
  orig: string;
  op: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (x: string) => x === "x" || x === "*" || x === "X";

function parseConstraint(c: string): Constraint {
  if (c.length === 0) {
    return { con: newVersion("0.0.0"), orig: c, op: "", dirty: true, minorDirty: false, patchDirty: false };
  }
  const m = constraintRe.exec(c);
  if (!m) throw new FuncError("improper constraint");
  const g = (i: number) => m[i] ?? "";
  let ver = g(2);
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(g(3)) || g(3) === "") {
    ver = `0.0.0${g(6)}`;
    dirty = true;
  } else if (isX(g(4).replace(/^\./, "")) || g(4) === "") {
    minorDirty = true;
    dirty = true;
    ver = `${g(3)}.0.0${g(6)}`;
  } else if (isX(g(5).replace(/^\./, "")) || g(5) === "") {
    dirty = true;
    patchDirty = true;
    ver = `${g(3)}${g(4)}.0${g(6)}`;
  }
  let con: SemverVersion;
  try {
    con = newVersion(ver);
  } catch {
    throw new FuncError("constraint parser error");
  }
  return { con, orig: g(2), op: g(1), dirty, minorDirty, patchDirty };
}

function check(v: SemverVersion, c: Constraint, includePre: boolean): boolean {
  if (v.pre !== "" && !includePre) return false;
  const tilde = () => {
    if (compare(v, c.con) < 0) return false;
    if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty)
      return true;
    if (v.major !== c.con.major) return false;
    if (v.minor !== c.con.minor && !c.minorDirty) return false;
    return true;
  };
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde() : compare(v, c.con) === 0;
    case "!=":
      if (c.dirty) {
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        if (c.minorDirty) return false;
        if (c.con.patch !== v.patch && !c.patchDirty) return true;
        if (c.patchDirty) {
          if (v.pre !== "" || c.con.pre !== "") return comparePrerelease(v.pre, c.con.pre) !== 0;
          return false;
        }
      }
      return compare(v, c.con) !== 0;
    case ">":
      if (!c.dirty) return compare(v, c.con) === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return compare(v, c.con) === 1;
    case "<":
      return compare(v, c.con) < 0;
    case ">=":
    case "=>":
      return compare(v, c.con) >= 0;
    case "<=":
    case "=<":
      if (!c.dirty) return compare(v, c.con) <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case "~":
    case "~>":
      return tilde();
    case "^": {
      if (compare(v, c.con) < 0) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (c.con.major === 0n && v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (c.con.minor === 0n && v.minor > 0n) return false;
      return c.con.patch === v.patch;
    }
    default:
      return false;
  }
}

function rewriteRange(i: string): string {
  const ms = [...i.matchAll(rangeRe)];
  let o = i;
  for (const m of ms) o = o.replace(m[0], `>= ${m[1]}, <= ${m[11]} `);
  return o;
}

export function semverCompare(constraint: string, version: string): boolean {
  const ors = rewriteRange(constraint).split("||");
  const groups = ors.map((v) => {
    if (!validRe.test(v)) throw new FuncError("improper constraint");
    const cs = [...v.matchAll(findRe)].map((m) => m[0]);
    return (cs.length > 0 ? cs : [v]).map(parseConstraint);
  });
  const ver = newVersion(version);
  return groups.some((g) => {
    const hasPre = g.some((c) => c.con.pre !== "");
    return g.every((c) => check(ver, c, hasPre));
  });
}

export const semverFunctions: Record<string, FuncSpec> = {
  semver: spec(["string"], ([v]) => newVersion(asString(v))),
  semverCompare: spec(["string", "string"], ([c, v]) => semverCompare(asString(c), asString(v))),
};
