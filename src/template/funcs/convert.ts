// The conversions sprig leans on: spf13/cast's ToInt64/ToInt/ToFloat64 (errors become zero, as
// sprig ignores them) and sprig's strval/strslice.
import { formatValue } from "../fmt.ts";
import { parseFloat64, parseInt64 } from "../strconv.ts";
import { GoInt, GoOpaque, GoSlice, type GoValue, JsonNumber } from "../values.ts";

/** cast's trimZeroDecimal: "12.000" → "12". */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === "0") {
      foundZero = true;
    } else {
      return s;
    }
  }
  return s;
}

/** Go's float64→int64 conversion as amd64 performs it (out of range gives MinInt64). */
export function floatToInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= 2 ** 63 || f < -(2 ** 63)) return -(2n ** 63n);
  return BigInt(Math.trunc(f));
}

export function castToInt64(v: GoValue): bigint {
  if (v instanceof GoInt) return BigInt.asIntN(64, v.value);
  if (typeof v === "number") return floatToInt64(v);
  if (typeof v === "string" || v instanceof JsonNumber) {
    const s = typeof v === "string" ? v : v.source;
    return parseInt64(trimZeroDecimal(s), 0) ?? 0n;
  }
  if (typeof v === "boolean") return v ? 1n : 0n;
  return 0n;
}

export function castToFloat64(v: GoValue): number {
  if (v instanceof GoInt) return Number(v.value);
  if (typeof v === "number") return v;
  if (typeof v === "string" || v instanceof JsonNumber) {
    const s = typeof v === "string" ? v : v.source;
    const f = parseFloat64(s);
    return f ?? 0;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return 0;
}

export function int64Value(v: bigint): GoInt {
  return new GoInt("int64", v);
}

export function intValue(v: bigint | number): GoInt {
  return new GoInt("int", typeof v === "number" ? BigInt(v) : v);
}

/** sprig's strval: strings as they are, Stringers via String(), the rest through %v. */
export function strval(v: GoValue): string {
  if (typeof v === "string") return v;
  if (v instanceof JsonNumber) return v.source;
  if (v instanceof GoOpaque) return v.string();
  return formatValue(v === undefined ? null : v);
}

/** sprig's strslice: []string as is, other slices element-wise without nils, anything else wrapped. */
export function strslice(v: GoValue): string[] {
  if (v instanceof GoSlice) {
    if (v.elem === "string") return v.items as string[];
    return v.items.filter((x) => x !== null && x !== undefined).map(strval);
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

export function asString(v: GoValue): string {
  return v as string;
}

export function asInt(v: GoValue): number {
  const n = (v as GoInt).value;
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (n < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(n);
}
