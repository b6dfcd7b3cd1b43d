// Go's unicode package predicates and simple case mappings, for runes (code points).
// JavaScript's toUpperCase/toLowerCase apply full (multi-char, context-sensitive) mappings;
// Go applies the one-to-one simple mappings, so single code points are mapped one at a time
// and multi-char results are rejected.

const upper = /^\p{Lu}$/u;
const lower = /^\p{Ll}$/u;
const title = /^\p{Lt}$/u;
const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;
const number = /^\p{N}$/u;
const punct = /^\p{P}$/u;
const graphic = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function ch(r: number): string {
  return r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff) ? String.fromCodePoint(r) : "";
}

export function isUpper(r: number): boolean {
  if (r < 0x80) return r >= 0x41 && r <= 0x5a;
  return upper.test(ch(r));
}
export function isLower(r: number): boolean {
  if (r < 0x80) return r >= 0x61 && r <= 0x7a;
  return lower.test(ch(r));
}
export function isTitle(r: number): boolean {
  return r >= 0x80 && title.test(ch(r));
}
export function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return letter.test(ch(r));
}
export function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 0x30 && r <= 0x39;
  return digit.test(ch(r));
}
export function isNumber(r: number): boolean {
  if (r < 0x80) return r >= 0x30 && r <= 0x39;
  return number.test(ch(r));
}
export function isPunct(r: number): boolean {
  return punct.test(ch(r));
}
/** unicode.IsSpace: Latin-1 spaces plus the White_Space property. */
export function isSpace(r: number): boolean {
  if (r <= 0xff) {
    return r === 0x20 || (r >= 0x09 && r <= 0x0d) || r === 0x85 || r === 0xa0;
  }
  return (
    r === 0x1680 ||
    (r >= 0x2000 && r <= 0x200a) ||
    r === 0x2028 ||
    r === 0x2029 ||
    r === 0x202f ||
    r === 0x205f ||
    r === 0x3000
  );
}
/** unicode.IsPrint: graphic characters and ASCII space only. */
export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  return graphic.test(ch(r));
}

const specialLower: Record<number, number> = { 304: 0x69 };
const specialUpper: Record<number, number> = {};
// Title case differs from upper case for the Latin digraphs.
const specialTitle: Record<number, number> = {
  452: 0x1c5,
  453: 0x1c5,
  454: 0x1c5,
  455: 0x1c8,
  456: 0x1c8,
  457: 0x1c8,
  458: 0x1cb,
  459: 0x1cb,
  460: 0x1cb,
  497: 0x1f2,
  498: 0x1f2,
  499: 0x1f2,
};

function simple(r: number, map: (s: string) => string, special: Record<number, number>): number {
  const s = special[r];
  if (s !== undefined) return s;
  const c = ch(r);
  if (c === "") return r;
  const m = map(c);
  const cp = m.codePointAt(0);
  if (cp === undefined || m.length !== String.fromCodePoint(cp).length) return r;
  return cp;
}

export function toUpper(r: number): number {
  if (r < 0x80) return r >= 0x61 && r <= 0x7a ? r - 32 : r;
  return simple(r, (s) => s.toUpperCase(), specialUpper);
}
export function toLower(r: number): number {
  if (r < 0x80) return r >= 0x41 && r <= 0x5a ? r + 32 : r;
  return simple(r, (s) => s.toLowerCase(), specialLower);
}
export function toTitle(r: number): number {
  const t = specialTitle[r];
  return t ?? toUpper(r);
}
