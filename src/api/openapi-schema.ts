// zod → the OpenAPI v3 subset a CRD accepts. zod's own output is close (inlined, `additionalProperties`
// for records, `default` from `.default()`); this pass removes what it adds for JavaScript's sake, turns
// Keyport's annotations into schema, and orders keys so the YAML is stable.
import { z } from "zod";
import { requiredInCrdKey } from "./schema-annotations.ts";
import type { JsonSchemaProps } from "./structural.ts";

export function toCrdSchema(schema: z.ZodType): JsonSchemaProps {
  const generated = z.toJSONSchema(schema, {
    target: "openapi-3.0",
    // input: fields with a default stay optional, as in the CRD; the API server fills them in.
    io: "input",
    reused: "inline",
    cycles: "throw",
    unrepresentable: "throw",
  }) as Record<string, unknown>;
  delete generated.$schema;
  return normalize(generated) as JsonSchemaProps;
}

function normalize(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...node };
  // z.int() bounds values to JavaScript's safe integers; Kubernetes needs no such bound, and VSO has none.
  if (out.type === "integer") {
    if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
    if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  }
  if (typeof out.pattern === "string") out.pattern = unescapeSlashes(out.pattern);
  if (isRecord(out.properties)) {
    const required = new Set(Array.isArray(out.required) ? (out.required as string[]) : []);
    const properties: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(out.properties)) {
      if (!isRecord(child)) throw new Error(`property ${name} has no schema`);
      const { [requiredInCrdKey]: requiredAnyway, ...rest } = child;
      if (requiredAnyway === true) required.add(name);
      properties[name] = normalize(rest);
    }
    out.properties = properties;
    if (required.size > 0) out.required = [...required];
    else delete out.required;
  }
  if (isRecord(out.additionalProperties)) out.additionalProperties = normalize(out.additionalProperties);
  if (isRecord(out.items)) out.items = normalize(out.items);
  return sortKeys(out);
}

/** Keys in alphabetical order (as controller-gen writes them); `required` sorted too, `enum` kept. */
function sortKeys(node: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) {
    const value = node[key];
    if (key === "properties" && isRecord(value)) {
      sorted[key] = Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((name) => [name, value[name]]),
      );
    } else if (key === "required" && Array.isArray(value)) {
      sorted[key] = [...(value as string[])].sort();
    } else {
      sorted[key] = value;
    }
  }
  return sorted;
}

// RegExp#source escapes "/", which RE2 accepts but nobody writes; drop the escape so the pattern reads
// like the one in VSO's CRD.
function unescapeSlashes(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\" && i + 1 < pattern.length) {
      const next = pattern[i + 1];
      out += next === "/" ? "/" : `\\${next}`;
      i++;
    } else {
      out += char;
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
