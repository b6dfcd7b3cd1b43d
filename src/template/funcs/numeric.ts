// sprig's arithmetic and number conversions (numeric.go and functions.go).
import { FuncError } from "../errors.ts";
import { formatValue } from "../fmt.ts";
import type { FuncContext } from "../func-spec.ts";
import { type FuncSpec, spec } from "../func-spec.ts";
import { parseInt64 } from "../strconv.ts";
import { GoInt, GoSlice, type GoValue } from "../values.ts";
import { asInt, asString, castToFloat64, castToInt64, int64Value, intValue } from "./convert.ts";
import { type Dec, decAdd, decDiv, decFromFloat, decMul, decSub, decToFloat } from "./decimal.ts";

function untilStep(start: number, stop: number, step: number, ctx: FuncContext): number[] {
  const v: number[] = [];
  const push = (i: number) => {
    v.push(i);
    if (v.length > ctx.budget.limits.maxListLength) ctx.budget.checkListLength(v.length, "untilStep");
  };
  if (stop < start) {
    if (step >= 0) return v;
    for (let i = start; i > stop; i += step) push(i);
    return v;
  }
  if (step <= 0) return v;
  for (let i = start; i < stop; i += step) push(i);
  ctx.budget.checkListLength(v.length, "untilStep");
  return v;
}

function intSlice(xs: number[]): GoSlice {
  return new GoSlice(
    "int",
    xs.map((x) => new GoInt("int", BigInt(x))),
  );
}

function seq(params: number[], ctx: FuncContext): string {
  let increment = 1;
  switch (params.length) {
    case 0:
      return "";
    case 1: {
      const start = 1;
      const end = params[0] as number;
      if (end < start) increment = -1;
      return untilStep(start, end + increment, increment, ctx).join(" ");
    }
    case 3: {
      const [start, step, end] = params as [number, number, number];
      if (end < start) {
        increment = -1;
        if (step > 0) return "";
      }
      return untilStep(start, end + increment, step, ctx).join(" ");
    }
    case 2: {
      const [start, end] = params as [number, number];
      const step = end < start ? -1 : 1;
      return untilStep(start, end + step, step, ctx).join(" ");
    }
    default:
      return "";
  }
}

function decimalOp(first: GoValue, rest: GoValue[], op: (a: Dec, b: Dec) => Dec): number {
  let acc = decFromFloat(castToFloat64(first));
  for (const x of rest) acc = op(acc, decFromFloat(castToFloat64(x)));
  return decToFloat(acc);
}

function goDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new FuncError("integer divide by zero");
  return BigInt.asIntN(64, a / b);
}

function goMod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new FuncError("integer divide by zero");
  return BigInt.asIntN(64, a % b);
}

const i64 = (v: bigint) => int64Value(BigInt.asIntN(64, v));

function round(a: GoValue, p: GoValue, rOpt: GoValue[]): number {
  const roundOn = rOpt.length > 0 ? (rOpt[0] as number) : 0.5;
  const val = castToFloat64(a);
  const places = Number((p as GoInt).value);
  const pow = 10 ** places;
  const digit = pow * val;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

function goMax(a: number, b: number): number {
  if (a === Number.POSITIVE_INFINITY || b === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? b : a;
  return a > b ? a : b;
}

function goMin(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY || b === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? a : b;
  return a < b ? a : b;
}

export const numericFunctions: Record<string, FuncSpec> = {
  atoi: spec(["string"], ([a]) => {
    const s = asString(a);
    if (!/^[+-]?\d+$/.test(s)) return intValue(0);
    return intValue(parseInt64(s, 10) ?? 0n);
  }),
  int64: spec(["interface {}"], ([v]) => int64Value(castToInt64(v))),
  int: spec(["interface {}"], ([v]) => intValue(castToInt64(v))),
  float64: spec(["interface {}"], ([v]) => castToFloat64(v)),
  seq: spec([], (params, ctx) => seq(params.map(asInt), ctx), "int"),
  toDecimal: spec(["interface {}"], ([v]) => {
    const s = formatValue(v === undefined ? null : v);
    if (!/^[+-]?[0-7]+$/.test(s)) return int64Value(0n);
    return int64Value(parseInt64(s, 8) ?? 0n);
  }),
  until: spec(["int"], ([c], ctx) => {
    const count = asInt(c);
    return intSlice(untilStep(0, count, count < 0 ? -1 : 1, ctx));
  }),
  untilStep: spec(["int", "int", "int"], ([a, b, c], ctx) =>
    intSlice(untilStep(asInt(a), asInt(b), asInt(c), ctx)),
  ),
  add1: spec(["interface {}"], ([i]) => i64(castToInt64(i) + 1n)),
  add: spec(
    [],
    (args) => i64(args.reduce<bigint>((acc, b) => BigInt.asIntN(64, acc + castToInt64(b)), 0n)),
    "interface {}",
  ),
  sub: spec(["interface {}", "interface {}"], ([a, b]) => i64(castToInt64(a) - castToInt64(b))),
  div: spec(["interface {}", "interface {}"], ([a, b]) => i64(goDiv(castToInt64(a), castToInt64(b)))),
  mod: spec(["interface {}", "interface {}"], ([a, b]) => i64(goMod(castToInt64(a), castToInt64(b)))),
  mul: spec(
    ["interface {}"],
    ([a, ...rest]) =>
      i64(rest.reduce<bigint>((acc, b) => BigInt.asIntN(64, acc * castToInt64(b)), castToInt64(a))),
    "interface {}",
  ),
  randInt: spec(["int", "int"], ([lo, hi]) => {
    const min = asInt(lo);
    const n = asInt(hi) - min;
    if (n <= 0) throw new FuncError("invalid argument to Intn");
    return intValue(Math.floor(Math.random() * n) + min);
  }),
  add1f: spec(["interface {}"], ([i]) => decimalOp(i, [new GoInt("int", 1n)], decAdd)),
  addf: spec([], (args) => decimalOp(0, args, decAdd), "interface {}"),
  subf: spec(["interface {}"], ([a, ...rest]) => decimalOp(a, rest, decSub), "interface {}"),
  divf: spec(["interface {}"], ([a, ...rest]) => decimalOp(a, rest, decDiv), "interface {}"),
  mulf: spec(["interface {}"], ([a, ...rest]) => decimalOp(a, rest, decMul), "interface {}"),
  biggest: spec(
    ["interface {}"],
    ([a, ...rest]) => i64(rest.map(castToInt64).reduce((x, y) => (y > x ? y : x), castToInt64(a))),
    "interface {}",
  ),
  max: spec(
    ["interface {}"],
    ([a, ...rest]) => i64(rest.map(castToInt64).reduce((x, y) => (y > x ? y : x), castToInt64(a))),
    "interface {}",
  ),
  min: spec(
    ["interface {}"],
    ([a, ...rest]) => i64(rest.map(castToInt64).reduce((x, y) => (y < x ? y : x), castToInt64(a))),
    "interface {}",
  ),
  maxf: spec(
    ["interface {}"],
    ([a, ...rest]) => rest.map(castToFloat64).reduce(goMax, castToFloat64(a)),
    "interface {}",
  ),
  minf: spec(
    ["interface {}"],
    ([a, ...rest]) => rest.map(castToFloat64).reduce(goMin, castToFloat64(a)),
    "interface {}",
  ),
  ceil: spec(["interface {}"], ([a]) => Math.ceil(castToFloat64(a))),
  floor: spec(["interface {}"], ([a]) => Math.floor(castToFloat64(a))),
  round: spec(["interface {}", "int"], ([a, p, ...rest]) => round(a, p, rest), "float64"),
};
