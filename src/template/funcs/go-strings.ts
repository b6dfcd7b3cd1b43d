// Go's strings package functions whose edge cases differ from JavaScript's: empty separators
// split into UTF-8 sequences, Trim takes a cutset of runes, TrimSpace and case mapping work on
// runes with invalid bytes becoming U+FFFD.
import { decodeRune, encodeRune, isAscii, runeError } from "../go-string.ts";
import { isSpace } from "../unicode.ts";

/** strings.explode: the UTF-8 sequences of s, at most n (n <= 0: all). */
function explode(s: string, n: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (n > 0 && out.length === n - 1) {
      out.push(s.slice(i));
      return out;
    }
    const [, w] = decodeRune(s, i);
    out.push(s.slice(i, i + w));
    i += w;
  }
  return out;
}

/** strings.SplitN; n == 0 gives nil (represented as an empty array). */
export function splitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") return explode(s, n);
  if (n < 0) return s.split(sep);
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** strings.Replace(s, old, new, -1). */
export function replaceAll(s: string, old: string, repl: string): string {
  if (old === repl) return s;
  if (old !== "") return s.split(old).join(repl);
  let out = repl;
  for (let i = 0; i < s.length; ) {
    const [, w] = decodeRune(s, i);
    out += s.slice(i, i + w) + repl;
    i += w;
  }
  return out;
}

/** strings.Map with Go's handling of invalid UTF-8 (it becomes U+FFFD when anything changes). */
export function mapRunes(s: string, f: (r: number) => number): string {
  let out = "";
  let changed = false;
  for (let i = 0; i < s.length; ) {
    const [r, w] = decodeRune(s, i);
    const m = f(r);
    if (m !== r || (r === runeError && w === 1)) changed = true;
    out += m < 0 ? "" : r === runeError && w === 1 && m === r ? encodeRune(runeError) : encodeRune(m);
    i += w;
  }
  return changed ? out : s;
}

export function trimSpace(s: string): string {
  let start = 0;
  while (start < s.length) {
    const [r, w] = decodeRune(s, start);
    if (!isSpace(r) || (r === runeError && w === 1)) break;
    start += w;
  }
  let end = s.length;
  while (end > start) {
    // step back one rune
    let k = end - 1;
    while (k > start && (s.charCodeAt(k) & 0xc0) === 0x80 && end - k < 4) k--;
    const [r, w] = decodeRune(s, k);
    if (k + w !== end) {
      // invalid tail byte
      break;
    }
    if (!isSpace(r) || (r === runeError && w === 1)) break;
    end = k;
  }
  return s.slice(start, end);
}

/** strings.Trim(s, cutset). */
export function trimCutset(s: string, cutset: string): string {
  if (s === "" || cutset === "") return s;
  if (isAscii(cutset)) {
    let a = 0;
    let b = s.length;
    while (a < b && cutset.includes(s[a] as string)) a++;
    while (b > a && cutset.includes(s[b - 1] as string)) b--;
    return s.slice(a, b);
  }
  const set = new Set<number>();
  for (let i = 0; i < cutset.length; ) {
    const [r, w] = decodeRune(cutset, i);
    set.add(r);
    i += w;
  }
  let a = 0;
  while (a < s.length) {
    const [r, w] = decodeRune(s, a);
    if (!set.has(r)) break;
    a += w;
  }
  let b = s.length;
  while (b > a) {
    let k = b - 1;
    while (k > a && (s.charCodeAt(k) & 0xc0) === 0x80 && b - k < 4) k--;
    let [r, w] = decodeRune(s, k);
    if (k + w !== b) {
      r = runeError;
      w = 1;
      k = b - 1;
    }
    if (!set.has(r)) break;
    b = k;
  }
  return s.slice(a, b);
}

export function repeatString(s: string, count: number): string {
  return s.repeat(count);
}
