// Go strings are byte sequences; JavaScript strings are UTF-16. Inside the engine a Go string is a
// JavaScript string holding one byte per char (0–255), so `len`, `trunc`, `substr`, `index` and
// printf widths see bytes exactly as Go does, and invalid UTF-8 survives to the output unchanged.

const utf8Decoder = new TextDecoder("utf-8");

/** JavaScript (UTF-16) text → Go byte string. */
export function goString(text: string): string {
  // ASCII is the common case and needs no copy.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  if (/^[\u0000-\u007f]*$/.test(text)) return text;
  return Buffer.from(text, "utf8").toString("latin1");
}

/** Go byte string → JavaScript text (invalid UTF-8 becomes U+FFFD). */
export function jsString(bytes: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  if (/^[\u0000-\u007f]*$/.test(bytes)) return bytes;
  return utf8Decoder.decode(Buffer.from(bytes, "latin1"));
}

export function goBytes(bytes: string): Buffer {
  return Buffer.from(bytes, "latin1");
}

export function bytesToGoString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export const runeError = 0xfffd;

/** One step of utf8.DecodeRuneInString: [rune, width]; invalid bytes decode as (RuneError, 1). */
export function decodeRune(s: string, i: number): [number, number] {
  const b0 = s.charCodeAt(i);
  if (Number.isNaN(b0)) return [runeError, 0];
  if (b0 < 0x80) return [b0, 1];
  const n = s.length - i;
  const cont = (k: number) => {
    const b = s.charCodeAt(i + k);
    return b >= 0x80 && b <= 0xbf ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf && n >= 2) {
    const c1 = cont(1);
    if (c1 >= 0) return [((b0 & 0x1f) << 6) | c1, 2];
  } else if (b0 >= 0xe0 && b0 <= 0xef && n >= 3) {
    const b1 = s.charCodeAt(i + 1);
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    const c2 = cont(2);
    if (b1 >= lo && b1 <= hi && c2 >= 0) return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | c2, 3];
  } else if (b0 >= 0xf0 && b0 <= 0xf4 && n >= 4) {
    const b1 = s.charCodeAt(i + 1);
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    const c2 = cont(2);
    const c3 = cont(3);
    if (b1 >= lo && b1 <= hi && c2 >= 0 && c3 >= 0) {
      return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | (c2 << 6) | c3, 4];
    }
  }
  return [runeError, 1];
}

/** The runes of a Go string as `for _, r := range s` yields them. */
export function runes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const [r, w] = decodeRune(s, i);
    out.push(r);
    i += w;
  }
  return out;
}

/** Runes with their byte offsets and widths. */
export function runesWithWidth(s: string): Array<[rune: number, width: number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.length; ) {
    const [r, w] = decodeRune(s, i);
    out.push([r, w]);
    i += w;
  }
  return out;
}

/** utf8.EncodeRune: surrogates and out-of-range values encode as RuneError, as in Go. */
export function encodeRune(r: number): string {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = runeError;
  if (r < 0x80) return String.fromCharCode(r);
  if (r < 0x800) return String.fromCharCode(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  if (r < 0x10000) {
    return String.fromCharCode(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  }
  return String.fromCharCode(
    0xf0 | (r >> 18),
    0x80 | ((r >> 12) & 0x3f),
    0x80 | ((r >> 6) & 0x3f),
    0x80 | (r & 0x3f),
  );
}

export function encodeRunes(rs: readonly number[]): string {
  let out = "";
  for (const r of rs) out += encodeRune(r);
  return out;
}

export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; ) {
    i += decodeRune(s, i)[1];
    n++;
  }
  return n;
}

export function isValidUtf8(s: string): boolean {
  for (let i = 0; i < s.length; ) {
    const [r, w] = decodeRune(s, i);
    if (r === runeError && w === 1) return false;
    i += w;
  }
  return true;
}

/** Go byte-wise string comparison (sort.Strings order). */
export function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isAscii(s: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  return /^[\u0000-\u007f]*$/.test(s);
}
