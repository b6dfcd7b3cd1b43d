// sprig's b64enc/b64dec/b32enc/b32dec. Decoding follows encoding/base64 and encoding/base32
// exactly, including the error text sprig returns in place of the data on bad input.
import { type FuncSpec, spec } from "../func-spec.ts";
import { asString } from "./convert.ts";

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function decodeMap(alphabet: string): Int16Array {
  const m = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
}
const b64Map = decodeMap(b64);
const b32Map = decodeMap(b32);

export function base64Encode(s: string): string {
  return Buffer.from(s, "latin1").toString("base64");
}

class CorruptInput extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super(String(offset));
    this.offset = offset;
  }
}

/** base64.StdEncoding.DecodeString; returns the bytes or the error text. */
export function base64Decode(src: string): { data: string; error?: string } {
  let out = "";
  let si = 0;
  const isNL = (c: string | undefined) => c === "\n" || c === "\r";
  try {
    while (si < src.length) {
      const dbuf = [0, 0, 0, 0];
      let dlen = 4;
      let err: CorruptInput | undefined;
      let j = 0;
      for (; j < 4; j++) {
        if (src.length === si) {
          if (j === 0) return { data: out };
          throw new CorruptInput(si - j);
        }
        const inp = src[si] as string;
        si++;
        const v = b64Map[src.charCodeAt(si - 1)] as number;
        if (v >= 0) {
          dbuf[j] = v;
          continue;
        }
        if (isNL(inp)) {
          j--;
          continue;
        }
        if (inp !== "=") throw new CorruptInput(si - 1);
        if (j === 0 || j === 1) throw new CorruptInput(si - 1);
        if (j === 2) {
          while (si < src.length && isNL(src[si])) si++;
          if (si === src.length) throw new CorruptInput(src.length);
          if (src[si] !== "=") throw new CorruptInput(si - 1);
          si++;
        }
        while (si < src.length && isNL(src[si])) si++;
        if (si < src.length) err = new CorruptInput(si);
        dlen = j;
        break;
      }
      const val =
        ((dbuf[0] as number) << 18) |
        ((dbuf[1] as number) << 12) |
        ((dbuf[2] as number) << 6) |
        (dbuf[3] as number);
      const bytes = [(val >> 16) & 255, (val >> 8) & 255, val & 255];
      out += String.fromCharCode(...bytes.slice(0, dlen - 1));
      if (err) throw err;
    }
  } catch (e) {
    if (e instanceof CorruptInput)
      return { data: out, error: `illegal base64 data at input byte ${e.offset}` };
    throw e;
  }
  return { data: out };
}

export function base32Encode(s: string): string {
  const bytes = Buffer.from(s, "latin1");
  let out = "";
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = [...bytes.subarray(i, i + 5)];
    const n = chunk.length;
    while (chunk.length < 5) chunk.push(0);
    const [a, b, c, d, e] = chunk as [number, number, number, number, number];
    const idx = [
      a >> 3,
      ((a & 7) << 2) | (b >> 6),
      (b >> 1) & 31,
      ((b & 1) << 4) | (c >> 4),
      ((c & 15) << 1) | (d >> 7),
      (d >> 2) & 31,
      ((d & 3) << 3) | (e >> 5),
      e & 31,
    ];
    const chars = [0, 2, 4, 5, 7][n] as number;
    out += idx
      .slice(0, n === 5 ? 8 : chars)
      .map((k) => b32[k])
      .join("");
    if (n < 5) out += "=".repeat(8 - chars);
  }
  return out;
}

export function base32Decode(input: string): { data: string; error?: string } {
  const src = input.replace(/[\r\n]/g, "");
  const olen = src.length;
  let out = "";
  let pos = 0;
  let end = false;
  const fail = (off: number) => ({ data: out, error: `illegal base32 data at input byte ${off}` });
  while (pos < src.length && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8; ) {
      const remaining = src.length - pos;
      if (remaining === 0) return fail(olen - 0 - j);
      const inp = src[pos] as string;
      pos++;
      const rest = src.length - pos;
      if (inp === "=" && j >= 2 && rest < 8) {
        if (rest + j < 7) return fail(olen);
        for (let k = 0; k < 7 - j; k++) {
          if (rest > k && src[pos + k] !== "=") return fail(olen - rest + k - 1);
        }
        dlen = j;
        end = true;
        if (dlen === 1 || dlen === 3 || dlen === 6) return fail(olen - rest - 1);
        break;
      }
      const v = b32Map[src.charCodeAt(pos - 1)] as number;
      if (v < 0) return fail(olen - rest - 1);
      dbuf[j] = v;
      j++;
    }
    const d = dbuf as [number, number, number, number, number, number, number, number];
    const bytes = [
      ((d[0] << 3) | (d[1] >> 2)) & 255,
      ((d[1] << 6) | (d[2] << 1) | (d[3] >> 4)) & 255,
      ((d[3] << 4) | (d[4] >> 1)) & 255,
      ((d[4] << 7) | (d[5] << 2) | (d[6] >> 3)) & 255,
      ((d[6] << 5) | d[7]) & 255,
    ];
    const n = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[dlen] ?? 0;
    out += String.fromCharCode(...bytes.slice(0, n));
  }
  return { data: out };
}

export const encodingFunctions: Record<string, FuncSpec> = {
  b64enc: spec(["string"], ([v]) => base64Encode(asString(v))),
  b64dec: spec(["string"], ([v]) => {
    const r = base64Decode(asString(v));
    return r.error ?? r.data;
  }),
  b32enc: spec(["string"], ([v]) => base32Encode(asString(v))),
  b32dec: spec(["string"], ([v]) => {
    const r = base32Decode(asString(v));
    return r.error ?? r.data;
  }),
};
