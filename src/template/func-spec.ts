// How a template function is declared: its Go parameter types (which decide how text/template
// converts constants and checks values), and its implementation over modelled Go values.
import type { Budget } from "./limits.ts";
import type { GoValue } from "./values.ts";

/** The Go parameter types the functions in VSO's set use. */
export type GoParamType =
  | "string"
  | "int"
  | "int64"
  | "float64"
  | "bool"
  | "interface {}"
  | "map[string]interface {}"
  | "[]interface {}"
  | "reflect.Value";

export interface FuncContext {
  budget: Budget;
}

export interface FuncSpec {
  params: readonly GoParamType[];
  /** element type of a trailing variadic parameter */
  variadic?: GoParamType;
  fn: (args: GoValue[], ctx: FuncContext) => GoValue;
}

export type FuncMap = Readonly<Record<string, FuncSpec>>;

export function spec(
  params: readonly GoParamType[],
  fn: (args: GoValue[], ctx: FuncContext) => GoValue,
  variadic?: GoParamType,
): FuncSpec {
  return variadic === undefined ? { params, fn } : { params, fn, variadic };
}
