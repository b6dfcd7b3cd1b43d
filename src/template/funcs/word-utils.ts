// Behaviour of Masterminds/goutils (used by sprig's abbrev, wrap, initials, swapcase, untitle,
// nospace), reimplemented. Several of these walk bytes rather than runes, as goutils does.
import { decodeRune, encodeRune, encodeRunes, runes } from "../go-string.ts";
import { isLower, isSpace, isTitle, isUpper, toLower, toTitle } from "../unicode.ts";

/** AbbreviateFull; undefined where goutils returns an error. */
export function abbreviateFull(str: string, offset: number, maxWidth: number): string | undefined {
  if (str === "") return "";
  if (maxWidth < 4) return undefined;
  if (str.length <= maxWidth) return str;
  if (offset > str.length) offset = str.length;
  if (str.length - offset < maxWidth - 3) offset = str.length - (maxWidth - 3);
  const marker = "...";
  if (offset <= 4) return str.slice(0, maxWidth - 3) + marker;
  if (maxWidth < 7) return undefined;
  if (offset + maxWidth - 3 < str.length) {
    const rest = abbreviateFull(str.slice(offset), 0, maxWidth - 3);
    return marker + (rest ?? "");
  }
  return marker + str.slice(str.length - (maxWidth - 3));
}

export function wrapCustom(
  str: string,
  wrapLength: number,
  newLineStr: string,
  wrapLongWords: boolean,
): string {
  if (str === "") return "";
  if (newLineStr === "") newLineStr = "\n";
  if (wrapLength < 1) wrapLength = 1;
  const inputLineLength = str.length;
  let offset = 0;
  let out = "";
  while (inputLineLength - offset > wrapLength) {
    if (str[offset] === " ") {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    const spaceToWrapAt = str.slice(offset, end).lastIndexOf(" ") + offset;
    if (spaceToWrapAt >= offset) {
      out += str.slice(offset, spaceToWrapAt) + newLineStr;
      offset = spaceToWrapAt + 1;
    } else if (wrapLongWords) {
      out += str.slice(offset, wrapLength + offset) + newLineStr;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const index = str.slice(e).indexOf(" ");
      if (index === -1) {
        out += str.slice(offset);
        offset = inputLineLength;
      } else {
        const at = index + e;
        out += str.slice(offset, at) + newLineStr;
        offset = at + 1;
      }
    }
  }
  return out + str.slice(offset);
}

/** goutils walks bytes and writes each as a rune, re-encoding bytes ≥ 0x80. */
export function initials(str: string): string {
  if (str === "") return str;
  let out = "";
  let lastWasGap = true;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    if (isSpace(ch)) {
      lastWasGap = true;
    } else if (lastWasGap) {
      out += encodeRune(ch);
      lastWasGap = false;
    }
  }
  return out;
}

export function deleteWhiteSpace(str: string): string {
  if (str === "") return str;
  let out = "";
  let count = 0;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    if (!isSpace(ch)) {
      out += encodeRune(ch);
      count++;
    }
  }
  return count === str.length ? str : out;
}

export function uncapitalize(str: string): string {
  if (str === "") return str;
  const buf = runes(str);
  let next = true;
  for (let i = 0; i < buf.length; i++) {
    const ch = buf[i] as number;
    if (isSpace(ch)) next = true;
    else if (next) {
      buf[i] = toLower(ch);
      next = false;
    }
  }
  return encodeRunes(buf);
}

export function swapCase(str: string): string {
  if (str === "") return str;
  const buf = runes(str);
  let whitespace = true;
  for (let i = 0; i < buf.length; i++) {
    const ch = buf[i] as number;
    if (isUpper(ch) || isTitle(ch)) {
      buf[i] = toLower(ch);
      whitespace = false;
    } else if (isLower(ch)) {
      if (whitespace) {
        buf[i] = toTitle(ch);
        whitespace = false;
      } else {
        buf[i] = toUpperRune(ch);
      }
    } else {
      whitespace = isSpace(ch);
    }
  }
  return encodeRunes(buf);
}

import { toUpper as toUpperRune } from "../unicode.ts";

export { decodeRune };
