// status.vaultClientMeta.id names the token a secret was synced with, without revealing it: VSO
// writes the BLAKE2b-256 hex of the token accessor, and a dynamic secret re-syncs when the id
// changes ("VaultTokenRotated"). Node's OpenSSL offers BLAKE2b only with 512-bit output, and a
// 256-bit BLAKE2b is not a truncation of it, so this is RFC 7693 BLAKE2b, unkeyed, on BigInts.
// It runs once per login; clarity beats speed.

const mask = (1n << 64n) - 1n;

const iv = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
];

const sigma = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

function rotr(x: bigint, n: bigint): bigint {
  return ((x >> n) | (x << (64n - n))) & mask;
}

function compress(h: bigint[], block: Uint8Array, counter: bigint, last: boolean): void {
  const m: bigint[] = [];
  const view = new DataView(block.buffer, block.byteOffset, 128);
  for (let i = 0; i < 16; i++) m.push(view.getBigUint64(i * 8, true));
  const v = [...h, ...iv];
  v[12] = (v[12] as bigint) ^ (counter & mask);
  v[13] = (v[13] as bigint) ^ (counter >> 64n);
  if (last) v[14] = (v[14] as bigint) ^ mask;
  const g = (a: number, b: number, c: number, d: number, x: bigint, y: bigint) => {
    v[a] = ((v[a] as bigint) + (v[b] as bigint) + x) & mask;
    v[d] = rotr((v[d] as bigint) ^ (v[a] as bigint), 32n);
    v[c] = ((v[c] as bigint) + (v[d] as bigint)) & mask;
    v[b] = rotr((v[b] as bigint) ^ (v[c] as bigint), 24n);
    v[a] = ((v[a] as bigint) + (v[b] as bigint) + y) & mask;
    v[d] = rotr((v[d] as bigint) ^ (v[a] as bigint), 16n);
    v[c] = ((v[c] as bigint) + (v[d] as bigint)) & mask;
    v[b] = rotr((v[b] as bigint) ^ (v[c] as bigint), 63n);
  };
  for (let round = 0; round < 12; round++) {
    const s = sigma[round % 10] as number[];
    const mi = (i: number) => m[s[i] as number] as bigint;
    g(0, 4, 8, 12, mi(0), mi(1));
    g(1, 5, 9, 13, mi(2), mi(3));
    g(2, 6, 10, 14, mi(4), mi(5));
    g(3, 7, 11, 15, mi(6), mi(7));
    g(0, 5, 10, 15, mi(8), mi(9));
    g(1, 6, 11, 12, mi(10), mi(11));
    g(2, 7, 8, 13, mi(12), mi(13));
    g(3, 4, 9, 14, mi(14), mi(15));
  }
  for (let i = 0; i < 8; i++) h[i] = (h[i] as bigint) ^ (v[i] as bigint) ^ (v[i + 8] as bigint);
}

/** Unkeyed BLAKE2b with an output of `outputBytes` (1–64). */
export function blake2b(input: Uint8Array, outputBytes: number): Uint8Array {
  if (!Number.isInteger(outputBytes) || outputBytes < 1 || outputBytes > 64) {
    throw new RangeError("BLAKE2b output is 1 to 64 bytes");
  }
  const h = [...iv];
  // Parameter block word 0: digest length, key length 0, fanout 1, depth 1.
  h[0] = (h[0] as bigint) ^ (0x01010000n | BigInt(outputBytes));
  const blocks = Math.max(1, Math.ceil(input.length / 128));
  for (let i = 0; i < blocks; i++) {
    const block = new Uint8Array(128);
    const chunk = input.subarray(i * 128, (i + 1) * 128);
    block.set(chunk);
    const last = i === blocks - 1;
    compress(h, block, BigInt(last ? input.length : (i + 1) * 128), last);
  }
  const out = new Uint8Array(64);
  const view = new DataView(out.buffer);
  for (const [i, word] of h.entries()) view.setBigUint64(i * 8, word, true);
  return out.subarray(0, outputBytes);
}

/** VSO's client id: hex BLAKE2b-256 of the token accessor. */
export function vaultClientId(accessor: string): string {
  return Buffer.from(blake2b(new TextEncoder().encode(accessor), 32)).toString("hex");
}
