// The arbitrary-precision decimal arithmetic sprig's float functions (addf, subf, mulf, divf,
// add1f) perform through shopspring/decimal: operands enter as the shortest decimal form of
// their float64, products are exact, quotients are rounded to 16 places.
import { FuncError } from "../errors.ts";
import { shortestDecimal } from "../strconv.ts";

export interface Dec {
  /** value = coef × 10^exp */
  coef: bigint;
  exp: number;
}

export function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new FuncError("cannot create a Decimal from a non-finite float");
  if (f === 0) return { coef: 0n, exp: 0 };
  const d = shortestDecimal(f);
  const coef = BigInt(d.digits) * (f < 0 ? -1n : 1n);
  return { coef, exp: d.dp - d.digits.length };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - exp), b.coef * 10n ** BigInt(b.exp - exp), exp];
}

export function decAdd(a: Dec, b: Dec): Dec {
  const [x, y, exp] = align(a, b);
  return { coef: x + y, exp };
}

export function decSub(a: Dec, b: Dec): Dec {
  const [x, y, exp] = align(a, b);
  return { coef: x - y, exp };
}

export function decMul(a: Dec, b: Dec): Dec {
  return { coef: a.coef * b.coef, exp: a.exp + b.exp };
}

/** DivRound(b, 16): half away from zero. */
export function decDiv(a: Dec, b: Dec): Dec {
  if (b.coef === 0n) throw new FuncError("decimal division by zero");
  const precision = 16;
  // a/b = (a.coef / b.coef) × 10^(a.exp - b.exp); scale so the quotient has `precision` places.
  const shift = precision + (a.exp - b.exp);
  let num = a.coef;
  let den = b.coef;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  let q = num / den;
  const r = num - q * den;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) q += num < 0n ? -1n : 1n;
  return { coef: q, exp: -precision };
}

export function decToFloat(d: Dec): number {
  if (d.coef === 0n) return 0;
  return Number(`${d.coef}e${d.exp}`);
}
