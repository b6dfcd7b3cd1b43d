// sprig's string functions (strings.go and the string entries of functions.go).
import { FuncError } from "../errors.ts";
import { sprintf } from "../fmt.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { decodeRune, encodeRunes, isAscii, runes } from "../go-string.ts";
import { quote } from "../strconv.ts";
import { isDigit, isLetter, isSpace, toLower, toTitle, toUpper } from "../unicode.ts";
import { GoMap, GoSlice, type GoValue, newStringSlice } from "../values.ts";
import { camelCaseToLowerCase, toPascalCase } from "./case-conversion.ts";
import { asInt, asString, strslice, strval } from "./convert.ts";
import { mapRunes, replaceAll, splitN, trimCutset, trimSpace } from "./go-strings.ts";
import {
  abbreviateFull,
  deleteWhiteSpace,
  initials,
  swapCase,
  uncapitalize,
  wrapCustom,
} from "./word-utils.ts";

function toUpperString(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  return mapRunes(s, toUpper);
}

function toLowerString(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  return mapRunes(s, toLower);
}

/** strings.Title's separator test. */
function isSeparator(r: number): boolean {
  if (r <= 0x7f) {
    if ((r >= 0x30 && r <= 0x39) || (r >= 0x61 && r <= 0x7a) || (r >= 0x41 && r <= 0x5a) || r === 0x5f)
      return false;
    return true;
  }
  if (isLetter(r) || isDigit(r)) return false;
  return isSpace(r);
}

function title(s: string): string {
  let prev = 0x20;
  return mapRunes(s, (r) => {
    const out = isSeparator(prev) ? toTitle(r) : r;
    prev = r;
    return out;
  });
}

function substring(start: number, end: number, s: string): string {
  const bad = () => new FuncError("slice bounds out of range");
  if (start < 0) {
    if (end < 0 || end > s.length) throw bad();
    return s.slice(0, end);
  }
  if (end < 0 || end > s.length) {
    if (start > s.length) throw bad();
    return s.slice(start);
  }
  if (start > end) throw bad();
  return s.slice(start, end);
}

function trunc(c: number, s: string): string {
  if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
  if (c >= 0 && s.length > c) return s.slice(0, c);
  return s;
}

function indent(spaces: number, v: string): string {
  if (spaces < 0) throw new FuncError("negative Repeat count");
  const pad = " ".repeat(spaces);
  return pad + v.split("\n").join(`\n${pad}`);
}

function splitToMap(parts: string[]): GoMap {
  const m = new GoMap("string");
  parts.forEach((p, i) => {
    m.entries.set(`_${i}`, p);
  });
  return m;
}

function sortAlpha(list: GoValue): GoValue {
  if (list instanceof GoSlice) {
    return newStringSlice([...strslice(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return newStringSlice([strval(list === undefined ? null : list)]);
}

const nonNil = (v: GoValue) => v !== null && v !== undefined;

export const stringFunctions: Record<string, FuncSpec> = {
  abbrev: spec(["int", "string"], ([w, s]) => {
    const width = asInt(w);
    if (width < 4) return s;
    return abbreviateFull(asString(s), 0, width) ?? "";
  }),
  abbrevboth: spec(["int", "int", "string"], ([l, r, s]) => {
    const left = asInt(l);
    const right = asInt(r);
    if (right < 4 || (left > 0 && right < 7)) return s;
    return abbreviateFull(asString(s), left, right) ?? "";
  }),
  trunc: spec(["int", "string"], ([c, s]) => trunc(asInt(c), asString(s))),
  trim: spec(["string"], ([s]) => trimSpace(asString(s))),
  upper: spec(["string"], ([s]) => toUpperString(asString(s))),
  lower: spec(["string"], ([s]) => toLowerString(asString(s))),
  title: spec(["string"], ([s]) => title(asString(s))),
  untitle: spec(["string"], ([s]) => uncapitalize(asString(s))),
  substr: spec(["int", "int", "string"], ([a, b, s]) => substring(asInt(a), asInt(b), asString(s))),
  repeat: spec(["int", "string"], ([c, s], ctx) => {
    const count = asInt(c);
    if (count < 0) throw new FuncError("negative Repeat count");
    ctx.budget.checkStringLength(count * asString(s).length, "repeat");
    return asString(s).repeat(count);
  }),
  trimall: spec(["string", "string"], ([a, b]) => trimCutset(asString(b), asString(a))),
  trimAll: spec(["string", "string"], ([a, b]) => trimCutset(asString(b), asString(a))),
  trimSuffix: spec(["string", "string"], ([a, b]) => {
    const s = asString(b);
    const suf = asString(a);
    return suf !== "" && s.endsWith(suf) ? s.slice(0, s.length - suf.length) : s;
  }),
  trimPrefix: spec(["string", "string"], ([a, b]) => {
    const s = asString(b);
    const pre = asString(a);
    return s.startsWith(pre) ? s.slice(pre.length) : s;
  }),
  nospace: spec(["string"], ([s]) => deleteWhiteSpace(asString(s))),
  initials: spec(["string"], ([s]) => initials(asString(s))),
  swapcase: spec(["string"], ([s]) => swapCase(asString(s))),
  shuffle: spec(["string"], ([s]) => {
    const rs = runes(asString(s));
    for (let i = rs.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [rs[i], rs[j]] = [rs[j] as number, rs[i] as number];
    }
    return asString(s) === "" ? "" : encodeRunes(rs);
  }),
  snakecase: spec(["string"], ([s]) => camelCaseToLowerCase(asString(s), 0x5f)),
  camelcase: spec(["string"], ([s]) => toPascalCase(asString(s))),
  kebabcase: spec(["string"], ([s]) => camelCaseToLowerCase(asString(s), 0x2d)),
  wrap: spec(["int", "string"], ([l, s]) => wrapCustom(asString(s), asInt(l), "", false)),
  wrapWith: spec(["int", "string", "string"], ([l, sep, s], ctx) => {
    const out = wrapCustom(asString(s), asInt(l), asString(sep), true);
    ctx.budget.checkStringLength(out.length, "wrapWith");
    return out;
  }),
  contains: spec(["string", "string"], ([sub, s]) => asString(s).includes(asString(sub))),
  hasPrefix: spec(["string", "string"], ([p, s]) => asString(s).startsWith(asString(p))),
  hasSuffix: spec(["string", "string"], ([p, s]) => asString(s).endsWith(asString(p))),
  quote: spec(
    [],
    (args) =>
      args
        .filter(nonNil)
        .map((s) => quote(strval(s)))
        .join(" "),
    "interface {}",
  ),
  squote: spec(
    [],
    (args) =>
      args
        .filter(nonNil)
        .map((s) => sprintf("'%v'", [s]))
        .join(" "),
    "interface {}",
  ),
  cat: spec(
    [],
    (args) => {
      const v = args.filter(nonNil);
      return sprintf(v.map(() => "%v").join(" "), v);
    },
    "interface {}",
  ),
  indent: spec(["int", "string"], ([n, v], ctx) => {
    ctx.budget.checkStringLength(asInt(n) * asString(v).split("\n").length + asString(v).length, "indent");
    return indent(asInt(n), asString(v));
  }),
  nindent: spec(["int", "string"], ([n, v], ctx) => {
    ctx.budget.checkStringLength(asInt(n) * asString(v).split("\n").length + asString(v).length, "nindent");
    return `\n${indent(asInt(n), asString(v))}`;
  }),
  replace: spec(["string", "string", "string"], ([o, n, s], ctx) => {
    const out = replaceAll(asString(s), asString(o), asString(n));
    ctx.budget.checkStringLength(out.length, "replace");
    return out;
  }),
  plural: spec(["string", "string", "int"], ([one, many, count]) => (asInt(count) === 1 ? one : many)),
  toString: spec(["interface {}"], ([v]) => strval(v)),
  split: spec(["string", "string"], ([sep, s]) => splitToMap(splitN(asString(s), asString(sep), -1))),
  splitList: spec(["string", "string"], ([sep, s]) => newStringSlice(splitN(asString(s), asString(sep), -1))),
  splitn: spec(["string", "int", "string"], ([sep, n, s]) =>
    splitToMap(splitN(asString(s), asString(sep), asInt(n))),
  ),
  toStrings: spec(["interface {}"], ([v]) => newStringSlice(strslice(v))),
  join: spec(["string", "interface {}"], ([sep, v]) => strslice(v).join(asString(sep))),
  sortAlpha: spec(["interface {}"], ([v]) => sortAlpha(v)),
};

export { decodeRune };
