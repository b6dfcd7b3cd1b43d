// bcrypt ($2a$, as golang.org/x/crypto/bcrypt produces it), on an Eksblowfish written here. The
// Blowfish initial state is the hexadecimal expansion of π, computed once on first use rather
// than carried as a table.
import { randomBytes, timingSafeEqual } from "node:crypto";

const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const magic = Buffer.from("OrpheanBeholderScryDoubt");
export const defaultCost = 10;

let piWords: Uint32Array | undefined;

/** The first 1042 32-bit words of π's fractional part (Blowfish's P-array and S-boxes). */
function blowfishInit(): Uint32Array {
  if (piWords) return piWords;
  const words = 18 + 4 * 256;
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const arctanInv = (x: bigint) => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    let k = 1n;
    let sign = 1n;
    while (term !== 0n) {
      sum += (sign * term) / k;
      term /= x2;
      k += 2n;
      sign = -sign;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  let frac = (pi - 3n * one) >> 64n; // drop guard bits
  const out = new Uint32Array(words);
  for (let i = words - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  piWords = out;
  return out;
}

class Blowfish {
  p: Uint32Array;
  s: Uint32Array; // 4 × 256
  constructor() {
    const init = blowfishInit();
    this.p = init.slice(0, 18);
    this.s = init.slice(18);
  }

  f(x: number): number {
    const s = this.s;
    return (
      ((((s[x >>> 24] as number) + (s[256 + ((x >>> 16) & 255)] as number)) ^
        (s[512 + ((x >>> 8) & 255)] as number)) +
        (s[768 + (x & 255)] as number)) >>>
      0
    );
  }

  encrypt(l: number, r: number): [number, number] {
    const p = this.p;
    let xl = l >>> 0;
    let xr = r >>> 0;
    xl = (xl ^ (p[0] as number)) >>> 0;
    for (let i = 1; i <= 16; i += 2) {
      xr = (xr ^ this.f(xl) ^ (p[i] as number)) >>> 0;
      xl = (xl ^ this.f(xr) ^ (p[i + 1] as number)) >>> 0;
    }
    xr = (xr ^ (p[17] as number)) >>> 0;
    return [xr, xl];
  }

  expand(key: Uint8Array, salt: Uint8Array | undefined): void {
    const next = (data: Uint8Array, pos: { j: number }) => {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = ((w << 8) | (data[pos.j] as number)) >>> 0;
        pos.j = (pos.j + 1) % data.length;
      }
      return w;
    };
    const kp = { j: 0 };
    for (let i = 0; i < 18; i++) this.p[i] = ((this.p[i] as number) ^ next(key, kp)) >>> 0;
    const sp = { j: 0 };
    let l = 0;
    let r = 0;
    const fill = (arr: Uint32Array, offset: number, count: number) => {
      for (let i = 0; i < count; i += 2) {
        if (salt) {
          l = (l ^ next(salt, sp)) >>> 0;
          r = (r ^ next(salt, sp)) >>> 0;
        }
        [l, r] = this.encrypt(l, r);
        arr[offset + i] = l;
        arr[offset + i + 1] = r;
      }
    };
    fill(this.p, 0, 18);
    fill(this.s, 0, 1024);
  }
}

function encode(src: Uint8Array): string {
  let out = "";
  for (let i = 0; i < src.length; i += 3) {
    const b0 = src[i] as number;
    const b1 = src[i + 1];
    const b2 = src[i + 2];
    out += alphabet[b0 >> 2];
    out += alphabet[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)];
    if (b1 === undefined) break;
    out += alphabet[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)];
    if (b2 === undefined) break;
    out += alphabet[b2 & 63];
  }
  return out;
}

function decode(s: string): Uint8Array | undefined {
  const vals: number[] = [];
  for (const c of s) {
    const v = alphabet.indexOf(c);
    if (v < 0) return undefined;
    vals.push(v);
  }
  const out: number[] = [];
  for (let i = 0; i < vals.length; i += 4) {
    const [a, b, c, d] = [vals[i], vals[i + 1], vals[i + 2], vals[i + 3]];
    if (a === undefined || b === undefined) break;
    out.push(((a << 2) | (b >> 4)) & 255);
    if (c === undefined) break;
    out.push(((b << 4) | (c >> 2)) & 255);
    if (d === undefined) break;
    out.push(((c << 6) | d) & 255);
  }
  return Uint8Array.from(out);
}

function hashWithSalt(password: Uint8Array, cost: number, salt: Uint8Array): string {
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  const c = new Blowfish();
  c.expand(key, salt);
  const rounds = 2 ** cost;
  for (let i = 0; i < rounds; i++) {
    c.expand(key, undefined);
    c.expand(salt, undefined);
  }
  const data = Buffer.from(magic);
  for (let i = 0; i < 24; i += 8) {
    let l = data.readUInt32BE(i);
    let r = data.readUInt32BE(i + 4);
    for (let k = 0; k < 64; k++) [l, r] = c.encrypt(l, r);
    data.writeUInt32BE(l, i);
    data.writeUInt32BE(r, i + 4);
  }
  return encode(data.subarray(0, 23));
}

export class PasswordTooLong extends Error {}

/** bcrypt.GenerateFromPassword */
export function bcryptHash(
  password: Uint8Array,
  cost = defaultCost,
  salt: Uint8Array = randomBytes(16),
): string {
  if (password.length > 72) throw new PasswordTooLong("bcrypt: password length exceeds 72 bytes");
  const encodedSalt = encode(salt);
  return `$2a$${String(cost).padStart(2, "0")}$${encodedSalt}${hashWithSalt(password, cost, salt)}`;
}

/** bcrypt.CompareHashAndPassword, as a boolean. */
export function bcryptVerify(hash: string, password: Uint8Array): boolean {
  const m = /^\$2[abxy]?\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (!m || password.length > 72) return false;
  const salt = decode(m[2] as string)?.subarray(0, 16);
  if (!salt) return false;
  const expected = hashWithSalt(password, Number(m[1]), salt);
  return timingSafeEqual(Buffer.from(expected), Buffer.from(m[3] as string));
}
