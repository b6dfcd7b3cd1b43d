// Behaviour of huandu/xstrings v1.5.0 (sprig's camelcase, snakecase, kebabcase), reimplemented
// over Go byte strings: words are found by Unicode class (upper, alphabet, number, punctuation,
// connector), as xstrings does.
import { decodeRune, encodeRune, runeError } from "../go-string.ts";
import { isLetter, isNumber, isPunct, isSpace, isUpper, toLower, toUpper } from "../unicode.ts";

const isConnector = (r: number) => r === 0x2d || r === 0x5f || isSpace(r);

function isAlphabet(r: number): boolean {
  if (!isLetter(r)) return false;
  if (r < 0x3400) return true;
  if (r >= 0x4e00 && r <= 0x9fcc) return false;
  if (r >= 0x3400 && r <= 0x4d85) return false;
  if (r >= 0x20000 && r <= 0x2b81d) return false;
  return true;
}

/** xstrings.ToPascalCase (sprig's camelcase). */
export function toPascalCase(str: string): string {
  if (str.length === 0) return "";
  let buf = "";
  let isFirstRuneUpper = false;
  let r0 = 0;
  let r1 = 0;
  let size = 0;
  let i = 0;
  while (i < str.length) {
    [r0, size] = decodeRune(str, i);
    i += size;
    if (!isConnector(r0)) {
      isFirstRuneUpper = isUpper(r0);
      r0 = toUpper(r0);
      break;
    }
    buf += encodeRune(r0);
  }
  if (i >= str.length) {
    if (size !== 0) buf += encodeRune(r0);
    return buf;
  }
  while (i < str.length) {
    r1 = r0;
    [r0, size] = decodeRune(str, i);
    i += size;
    if (isConnector(r0) && isConnector(r1)) {
      buf += encodeRune(r1);
      continue;
    }
    if (isConnector(r1)) {
      isFirstRuneUpper = isUpper(r0);
      r0 = toUpper(r0);
    } else {
      if (isFirstRuneUpper) {
        if (isUpper(r0)) r0 = toLower(r0);
        else isFirstRuneUpper = false;
      }
      buf += encodeRune(r1);
    }
  }
  buf += encodeRune(r0);
  return buf;
}

type WordType = "invalid" | "number" | "upperCase" | "alphabet" | "connector" | "punct" | "other";

function nextValidRune(str: string, at: number, prev: number): [number, number] {
  let size = 0;
  let i = at;
  while (i < str.length) {
    const [r, sz] = decodeRune(str, i);
    size += sz;
    if (r !== runeError) return [r, size];
    i += sz;
  }
  return [prev, size];
}

function nextWord(str: string): [WordType, string, string] {
  if (str.length === 0) return ["invalid", "", ""];
  let offset = 0;
  let remaining = 0; // index into str where "remaining" starts
  let [r, size] = nextValidRune(str, remaining, runeError);
  offset += size;
  if (r === runeError) return ["invalid", str.slice(0, offset), str.slice(offset)];
  let wt: WordType;
  const more = () => remaining < str.length;
  if (isConnector(r)) {
    wt = "connector";
    remaining += size;
    while (more()) {
      [r, size] = nextValidRune(str, remaining, r);
      if (!isConnector(r)) break;
      offset += size;
      remaining += size;
    }
  } else if (isPunct(r)) {
    wt = "punct";
    remaining += size;
    while (more()) {
      [r, size] = nextValidRune(str, remaining, r);
      if (!isPunct(r)) break;
      offset += size;
      remaining += size;
    }
  } else if (isUpper(r)) {
    wt = "upperCase";
    remaining += size;
    if (more()) {
      [r, size] = nextValidRune(str, remaining, r);
      if (isUpper(r)) {
        let prevSize = size;
        offset += size;
        remaining += size;
        while (more()) {
          [r, size] = nextValidRune(str, remaining, r);
          if (!isUpper(r)) break;
          prevSize = size;
          offset += size;
          remaining += size;
        }
        if (more() && isAlphabet(r)) {
          offset -= prevSize;
          remaining = offset;
        }
      } else if (isAlphabet(r)) {
        offset += size;
        remaining += size;
        while (more()) {
          [r, size] = nextValidRune(str, remaining, r);
          if (!isAlphabet(r) || isUpper(r)) break;
          offset += size;
          remaining += size;
        }
      }
    }
  } else if (isAlphabet(r)) {
    wt = "alphabet";
    remaining += size;
    while (more()) {
      [r, size] = nextValidRune(str, remaining, r);
      if (!isAlphabet(r) || isUpper(r)) break;
      offset += size;
      remaining += size;
    }
  } else if (isNumber(r)) {
    wt = "number";
    remaining += size;
    while (more()) {
      [r, size] = nextValidRune(str, remaining, r);
      if (!isNumber(r)) break;
      offset += size;
      remaining += size;
    }
  } else {
    wt = "other";
    remaining += size;
    while (more()) {
      [r, size] = nextValidRune(str, remaining, r);
      if (size === 0 || isConnector(r) || isAlphabet(r) || isNumber(r) || isPunct(r)) break;
      offset += size;
      remaining += size;
    }
  }
  return [wt, str.slice(0, offset), str.slice(remaining)];
}

function lowerWord(wt: WordType, word: string, connector: number): string {
  if (wt !== "upperCase" && wt !== "connector") return word;
  let out = "";
  for (let i = 0; i < word.length; ) {
    const [r, size] = decodeRune(word, i);
    i += size;
    if (isConnector(r)) out += encodeRune(connector);
    else if (isUpper(r)) out += encodeRune(toLower(r));
    else out += encodeRune(r);
  }
  return out;
}

/** xstrings.ToSnakeCase / ToKebabCase. */
export function camelCaseToLowerCase(str: string, connector: number): string {
  if (str.length === 0) return "";
  let buf = "";
  const c = encodeRune(connector);
  let [wt, word, remaining] = nextWord(str);
  while (remaining.length > 0) {
    if (wt !== "connector") buf += lowerWord(wt, word, connector);
    const prev = wt;
    const last = word;
    [wt, word, remaining] = nextWord(remaining);
    switch (prev) {
      case "number":
        while (wt === "alphabet" || wt === "number") {
          buf += lowerWord(wt, word, connector);
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== "invalid" && wt !== "punct" && wt !== "connector") buf += c;
        break;
      case "connector":
        buf += lowerWord(prev, last, connector);
        break;
      case "punct":
        break;
      default: {
        if (wt !== "number") {
          if (wt !== "connector" && wt !== "punct") buf += c;
          break;
        }
        if (remaining.length === 0) break;
        const lastNum = word;
        [wt, word, remaining] = nextWord(remaining);
        if (wt !== "alphabet") {
          buf += lowerWord("number", lastNum, connector);
          if (wt !== "connector" && wt !== "punct") buf += c;
          break;
        }
        buf += c;
        buf += lowerWord("number", lastNum, connector);
        while (wt === "alphabet" || wt === "number") {
          buf += lowerWord(wt, word, connector);
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== "invalid" && wt !== "connector" && wt !== "punct") buf += c;
      }
    }
  }
  buf += lowerWord(wt, word, connector);
  return buf;
}
