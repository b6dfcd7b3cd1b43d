// sprig's regex functions over Go's RE2 syntax. Patterns are translated to JavaScript and run on
// V8's linear-time engine, so no pattern can backtrack without bound; a pattern that engine
// cannot run is refused unless it has no nested repetition, in which case the ordinary engine is
// safe to use. Matching sees the text as Unicode (invalid UTF-8 reads as U+FFFD).
import v8 from "node:v8";
import { FuncError } from "../errors.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { goString, jsString } from "../go-string.ts";
import { newStringSlice } from "../values.ts";
import { asInt, asString } from "./convert.ts";

v8.setFlagsFromString("--enable-experimental-regexp-engine");

const perlClasses: Record<string, string> = {
  s: "\\t\\n\\f\\r ",
  d: "0-9",
  w: "0-9A-Za-z_",
};
const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-/:-@[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

interface Translated {
  source: string;
  flags: string;
  needsUnicode: boolean;
  nestedRepetition: boolean;
}

class Unsupported extends Error {}

/** RE2 syntax → JavaScript syntax; throws Unsupported for what RE2 itself rejects. */
function translate(re: string): Translated {
  let out = "";
  let flags = "";
  let needsUnicode = false;
  let i = 0;
  // Leading flag group applies to the whole pattern.
  let ungreedy = false;
  const lead = /^\(\?([imsU]+)\)/.exec(re);
  if (lead) {
    for (const f of lead[1] as string) {
      if (f === "U") ungreedy = true;
      else if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  let inClass = false;
  // Track quantified groups that contain quantifiers (nested repetition).
  const groupHasQuant: boolean[] = [];
  let nestedRepetition = false;
  let lastGroupHadQuant = false;
  let lastWasGroupClose = false;
  while (i < re.length) {
    const c = re[i] as string;
    const wasGroupClose = lastWasGroupClose;
    lastWasGroupClose = false;
    if (c === "\\") {
      const n = re[i + 1];
      if (n === undefined) throw new Unsupported("trailing backslash");
      // RE2 reads \1–\7 followed by an octal digit (and \0) as an octal character code.
      const octal = /^\\(0[0-7]{0,2}|[1-7][0-7]{1,2})/.exec(re.slice(i));
      if (octal) {
        const code = Number.parseInt(octal[1] as string, 8);
        out += `\\x${code.toString(16).padStart(2, "0")}`;
        i += octal[0].length;
        continue;
      }
      if (/[1-9]/.test(n)) throw new Unsupported("backreference");
      if (n === "Q") {
        const end = re.indexOf("\\E", i + 2);
        const lit = end < 0 ? re.slice(i + 2) : re.slice(i + 2, end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? re.length : end + 2;
        continue;
      }
      if (n === "A") {
        out += "^";
        i += 2;
        continue;
      }
      if (n === "z") {
        out += "(?![\\s\\S])";
        i += 2;
        continue;
      }
      if (n === "p" || n === "P") {
        needsUnicode = true;
        if (re[i + 2] === "{") {
          const end = re.indexOf("}", i + 2);
          out += `\\${n}${re.slice(i + 2, end + 1)}`;
          i = end + 1;
        } else {
          out += `\\${n}{${re[i + 2]}}`;
          i += 3;
        }
        continue;
      }
      if (n === "s" || n === "d" || n === "w") {
        out += inClass ? perlClasses[n] : `[${perlClasses[n]}]`;
        i += 2;
        continue;
      }
      if (n === "S" || n === "D" || n === "W") {
        const k = n.toLowerCase();
        if (inClass) throw new Unsupported("negated class escape inside a class");
        out += `[^${perlClasses[k]}]`;
        i += 2;
        continue;
      }
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "[" && re[i + 1] === ":") {
        const end = re.indexOf(":]", i + 2);
        if (end > 0) {
          let name = re.slice(i + 2, end);
          const neg = name.startsWith("^");
          if (neg) name = name.slice(1);
          const cls = posixClasses[name];
          if (cls === undefined || neg) throw new Unsupported("POSIX class");
          out += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === "]") inClass = false;
      out += c === "[" ? "\\[" : c;
      i++;
      continue;
    }
    switch (c) {
      case "[":
        inClass = true;
        out += c;
        i++;
        if (re[i] === "^") {
          out += "^";
          i++;
        }
        if (re[i] === "]") {
          out += "\\]";
          i++;
        }
        continue;
      case "(":
        if (re[i + 1] === "?") {
          if (re.startsWith("(?P<", i)) {
            out += "(?<";
            i += 4;
          } else if (re.startsWith("(?<", i) && re[i + 3] !== "=" && re[i + 3] !== "!") {
            out += "(?<";
            i += 3;
          } else if (re.startsWith("(?:", i)) {
            out += "(?:";
            i += 3;
          } else if (/^\(\?[ims]*(-[ims]*)?:/.test(re.slice(i))) {
            // A scoped flag group; JavaScript has the same modifiers syntax.
            const m = /^\(\?[ims]*(-[ims]*)?:/.exec(re.slice(i)) as RegExpExecArray;
            out += m[0];
            i += m[0].length;
          } else {
            throw new Unsupported("group flags or lookaround");
          }
        } else {
          out += "(";
          i++;
        }
        groupHasQuant.push(false);
        continue;
      case ")":
        lastGroupHadQuant = groupHasQuant.pop() ?? false;
        lastWasGroupClose = true;
        out += c;
        i++;
        continue;
      case "*":
      case "+":
      case "?":
      case "{": {
        let q: string = c;
        if (c === "{") {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
          if (!m) {
            out += "\\{";
            i++;
            continue;
          }
          if (Number(m[1]) > 1000 || (m[3] !== undefined && m[3] !== "" && Number(m[3]) > 1000)) {
            throw new Unsupported("repeat count over 1000");
          }
          q = m[0];
        }
        if (wasGroupClose && lastGroupHadQuant && c !== "?") nestedRepetition = true;
        if (groupHasQuant.length > 0) groupHasQuant[groupHasQuant.length - 1] = true;
        for (let k = 0; k < groupHasQuant.length; k++) groupHasQuant[k] = true;
        out += q;
        i += q.length;
        // (?U) swaps greedy and lazy.
        const lazy = re[i] === "?";
        if (lazy) i++;
        if (lazy !== ungreedy) out += "?";
        continue;
      }
      default:
        out += c === "/" ? "\\/" : c;
        i++;
    }
  }
  return { source: out, flags, needsUnicode, nestedRepetition };
}

const cache = new Map<string, RegExp>();

export function compileRE2(pattern: string): RegExp {
  const key = pattern;
  const hit = cache.get(key);
  if (hit) return hit;
  let t: Translated;
  try {
    t = translate(jsString(pattern));
  } catch (e) {
    throw new FuncError(`error parsing regexp: ${(e as Error).message}`);
  }
  let re: RegExp | undefined;
  const base = `${t.flags}g`;
  if (!t.needsUnicode && !t.flags.includes("i")) {
    try {
      re = new RegExp(t.source, `${base}l`);
    } catch {
      re = undefined;
    }
  }
  if (re === undefined) {
    if (t.nestedRepetition) {
      throw new FuncError("regular expression is not supported: nested repetition could run without bound");
    }
    try {
      re = new RegExp(t.source, `${base}u`);
    } catch {
      try {
        re = new RegExp(t.source, base);
      } catch {
        throw new FuncError("error parsing regexp: invalid syntax");
      }
    }
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

type Match = {
  start: number;
  end: number;
  groups: Array<string | undefined>;
  named: Record<string, string | undefined>;
};

function execAt(re: RegExp, s: string, pos: number): Match | undefined {
  re.lastIndex = pos;
  const m = re.exec(s);
  if (!m) return undefined;
  return { start: m.index, end: m.index + m[0].length, groups: [...m], named: m.groups ?? {} };
}

function step(s: string, pos: number): number {
  const c = s.codePointAt(pos);
  if (c === undefined) return 0;
  return c > 0xffff ? 2 : 1;
}

/** Go's allMatches: empty matches right after a match are skipped. */
function allMatches(re: RegExp, s: string, n: number): Match[] {
  if (n < 0) n = s.length + 1;
  const out: Match[] = [];
  let pos = 0;
  let prevMatchEnd = -1;
  while (out.length < n && pos <= s.length) {
    const m = execAt(re, s, pos);
    if (!m) break;
    let accept = true;
    if (m.end === m.start) {
      if (m.start === prevMatchEnd) accept = false;
      const w = step(s, m.end);
      pos = w > 0 ? m.end + w : s.length + 1;
    } else {
      pos = m.end;
    }
    prevMatchEnd = m.end;
    if (accept) out.push(m);
  }
  return out;
}

/** Regexp.Expand with Go's $name / ${name} rules. */
function expand(template: string, m: Match, names: string[]): string {
  let out = "";
  for (let i = 0; i < template.length; ) {
    const c = template[i] as string;
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith("$")) {
      out += "$";
      i += 2;
      continue;
    }
    let name: string | undefined;
    let len = 0;
    const braced = /^\{([A-Za-z0-9_]+)\}/.exec(rest);
    if (braced) {
      name = braced[1];
      len = braced[0].length;
    } else {
      const bare = /^[A-Za-z0-9_]+/.exec(rest);
      if (bare) {
        name = bare[0];
        len = bare[0].length;
      }
    }
    if (name === undefined) {
      out += "$";
      i++;
      continue;
    }
    i += 1 + len;
    if (/^\d+$/.test(name)) {
      const k = Number(name);
      out += m.groups[k] ?? "";
    } else if (names.includes(name)) {
      out += m.named[name] ?? "";
    }
  }
  return out;
}

function groupNames(re: RegExp): string[] {
  const names: string[] = [];
  for (const mm of re.source.matchAll(/\(\?<([A-Za-z0-9_]+)>/g)) names.push(mm[1] as string);
  return names;
}

function replaceAll(re: RegExp, src: string, repl: (m: Match) => string): string {
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const a = execAt(re, src, searchPos);
    if (!a) break;
    out += src.slice(lastMatchEnd, a.start);
    if (a.end > lastMatchEnd || a.start === 0) out += repl(a);
    lastMatchEnd = a.end;
    const width = step(src, searchPos);
    if (searchPos + width > a.end) searchPos += width;
    else if (searchPos + 1 > a.end) searchPos++;
    else searchPos = a.end;
  }
  return out + src.slice(lastMatchEnd);
}

function split(re: RegExp, s: string, n: number, patternLength: number): string[] {
  if (n === 0) return [];
  if (patternLength > 0 && s.length === 0) return [""];
  const matches = allMatches(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.start;
    if (m.end !== 0) out.push(s.slice(beg, end));
    beg = m.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

function withRe<T>(pattern: string, f: (re: RegExp) => T): T {
  return f(compileRE2(pattern));
}

const find = (p: string, s: string) =>
  withRe(p, (re) => {
    const m = execAt(re, jsString(s), 0);
    return m ? goString(m.groups[0] as string) : "";
  });
const findAll = (p: string, s: string, n: number) =>
  withRe(p, (re) => {
    const ms = allMatches(re, jsString(s), n);
    return newStringSlice(ms.map((m) => goString(m.groups[0] as string)));
  });
const match = (p: string, s: string) => withRe(p, (re) => execAt(re, jsString(s), 0) !== undefined);
const replaceExpand = (p: string, s: string, r: string) =>
  withRe(p, (re) => {
    const names = groupNames(re);
    const tmpl = jsString(r);
    return goString(replaceAll(re, jsString(s), (m) => expand(tmpl, m, names)));
  });
const replaceLiteral = (p: string, s: string, r: string) =>
  withRe(p, (re) => goString(replaceAll(re, jsString(s), () => jsString(r))));
const splitRe = (p: string, s: string, n: number) =>
  withRe(p, (re) => newStringSlice(split(re, jsString(s), n, p.length).map(goString)));

function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

const s = asString;
export const regexFunctions: Record<string, FuncSpec> = {
  regexMatch: spec(["string", "string"], ([p, x]) => {
    try {
      return match(s(p), s(x));
    } catch (e) {
      if (e instanceof FuncError && /parsing/.test(e.message)) return false;
      throw e;
    }
  }),
  mustRegexMatch: spec(["string", "string"], ([p, x]) => match(s(p), s(x))),
  regexFindAll: spec(["string", "string", "int"], ([p, x, n]) => findAll(s(p), s(x), asInt(n))),
  mustRegexFindAll: spec(["string", "string", "int"], ([p, x, n]) => findAll(s(p), s(x), asInt(n))),
  regexFind: spec(["string", "string"], ([p, x]) => find(s(p), s(x))),
  mustRegexFind: spec(["string", "string"], ([p, x]) => find(s(p), s(x))),
  regexReplaceAll: spec(["string", "string", "string"], ([p, x, r]) => replaceExpand(s(p), s(x), s(r))),
  mustRegexReplaceAll: spec(["string", "string", "string"], ([p, x, r]) => replaceExpand(s(p), s(x), s(r))),
  regexReplaceAllLiteral: spec(["string", "string", "string"], ([p, x, r]) =>
    replaceLiteral(s(p), s(x), s(r)),
  ),
  mustRegexReplaceAllLiteral: spec(["string", "string", "string"], ([p, x, r]) =>
    replaceLiteral(s(p), s(x), s(r)),
  ),
  regexSplit: spec(["string", "string", "int"], ([p, x, n]) => splitRe(s(p), s(x), asInt(n))),
  mustRegexSplit: spec(["string", "string", "int"], ([p, x, n]) => splitRe(s(p), s(x), asInt(n))),
  regexQuoteMeta: spec(["string"], ([x]) => quoteMeta(s(x))),
};
