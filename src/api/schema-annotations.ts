// What a zod schema cannot say by itself but the CRD must: int64 formats, "required although
// defaulted", and CEL rules. Each helper annotates the zod node so the CRD emitter (openapi-schema.ts)
// and parse() read the same source.
import { z } from "zod";

/**
 * Metadata key for a property that the CRD lists in `required` even though it has a default. VSO does
 * this for VaultConnection `skipTLSVerify`; the API server applies the default before it checks
 * `required`, so users may still omit it.
 */
export const requiredInCrdKey = "x-keyport-required-in-crd";

/** A 64-bit integer as controller-gen emits it for Go `int64` (`format: int64`). */
export function int64() {
  return z.int().meta({ format: "int64" });
}

/** Keeps `schema` (usually one with a default) in its parent's `required` list in the CRD. */
export function requiredInCrd<S extends z.ZodType>(schema: S): S {
  return schema.meta({ ...schema.meta(), [requiredInCrdKey]: true });
}

/**
 * One validation rule, stated twice: as CEL for the API server (`x-kubernetes-validations`) and as a
 * TypeScript predicate so that parse() rejects exactly what admission would. Both see the object after
 * defaults are applied. Treat empty strings as unset, as VSO does at runtime.
 */
export interface CelRule<T> {
  rule: string;
  message: string;
  holds: (self: T) => boolean;
}

export function withCelRules<S extends z.ZodObject>(schema: S, rules: readonly CelRule<z.output<S>>[]): S {
  let annotated = schema.meta({
    ...schema.meta(),
    "x-kubernetes-validations": rules.map(({ rule, message }) => ({ rule, message })),
  });
  for (const { holds, message } of rules) {
    annotated = annotated.refine(holds, { message });
  }
  return annotated;
}

/** True when an optional string field carries a value (VSO treats "" as unset). */
export function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}
