// Kubernetes accepts only "structural" CRD schemas, and prunes or rejects in surprising ways when a
// schema is almost structural. This check runs on every generated schema so a zod construct that
// emits something Kubernetes would refuse fails the build, not the install.

/** The subset of OpenAPI v3 that Keyport's CRDs use. */
export interface JsonSchemaProps {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  properties?: Record<string, JsonSchemaProps>;
  required?: string[];
  additionalProperties?: JsonSchemaProps;
  items?: JsonSchemaProps;
  enum?: (string | number | boolean)[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  "x-kubernetes-validations"?: { rule: string; message: string }[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

export const allowedSchemaKeys: ReadonlySet<string> = new Set([
  "type",
  "description",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "default",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "x-kubernetes-validations",
  "x-kubernetes-preserve-unknown-fields",
]);

const types = new Set(["object", "array", "string", "integer", "number", "boolean"]);

/**
 * Every way `schema` breaks the structural rules (or Keyport's stricter subset: no combinators, no
 * nullable), as `path: problem` lines. Empty means structural. `objectsWithoutFields` lists paths
 * allowed to be a bare `type: object` (the API server handles `metadata` itself).
 */
export function structuralViolations(
  schema: unknown,
  path = "",
  objectsWithoutFields: ReadonlySet<string> = new Set([".properties.metadata"]),
): string[] {
  const problems: string[] = [];
  const at = path === "" ? "<root>" : path;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    return [`${at}: schema node is not an object`];
  }
  const node = schema as Record<string, unknown>;
  for (const key of Object.keys(node)) {
    if (!allowedSchemaKeys.has(key)) problems.push(`${at}: keyword ${key} is not allowed`);
  }
  const preserveUnknown = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (typeof node.type !== "string" || !types.has(node.type)) {
    if (!preserveUnknown) problems.push(`${at}: missing or unknown type`);
  }
  const properties = node.properties;
  const additional = node.additionalProperties;
  if (properties !== undefined && additional !== undefined) {
    problems.push(`${at}: properties and additionalProperties together`);
  }
  if (node.type === "object") {
    if (
      properties === undefined &&
      additional === undefined &&
      !preserveUnknown &&
      !objectsWithoutFields.has(path)
    ) {
      problems.push(`${at}: object without properties or additionalProperties (its fields would be pruned)`);
    }
  } else if (properties !== undefined || additional !== undefined) {
    problems.push(`${at}: properties on a node of type ${String(node.type)}`);
  }
  if (node.type === "array" && node.items === undefined) problems.push(`${at}: array without items`);
  if (node.type !== "array" && node.items !== undefined) problems.push(`${at}: items on a non-array`);
  if (node.required !== undefined) {
    const names = Object.keys((properties as Record<string, unknown> | undefined) ?? {});
    for (const name of node.required as string[]) {
      if (!names.includes(name)) problems.push(`${at}: required field ${name} is not a property`);
    }
  }
  if (Array.isArray(node.enum)) {
    for (const value of node.enum) {
      if (!matchesType(value, node.type))
        problems.push(`${at}: enum value ${String(value)} is not a ${node.type}`);
    }
  }
  if (node.default !== undefined && !matchesType(node.default, node.type)) {
    problems.push(`${at}: default is not a ${String(node.type)}`);
  }
  if (typeof properties === "object" && properties !== null) {
    for (const [name, child] of Object.entries(properties)) {
      problems.push(...structuralViolations(child, `${path}.properties.${name}`, objectsWithoutFields));
    }
  }
  if (additional !== undefined) {
    if (typeof additional === "boolean") problems.push(`${at}: additionalProperties must be a schema`);
    else
      problems.push(
        ...structuralViolations(additional, `${path}.additionalProperties`, objectsWithoutFields),
      );
  }
  if (node.items !== undefined) {
    problems.push(...structuralViolations(node.items, `${path}.items`, objectsWithoutFields));
  }
  return problems;
}

function matchesType(value: unknown, type: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    default:
      return false;
  }
}

export class NonStructuralSchemaError extends Error {
  override readonly name = "NonStructuralSchemaError";
  readonly problems: readonly string[];
  constructor(subject: string, problems: readonly string[]) {
    super(`${subject}: schema is not structural:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

export function assertStructural(subject: string, schema: JsonSchemaProps): void {
  const problems = structuralViolations(schema);
  if (problems.length > 0) throw new NonStructuralSchemaError(subject, problems);
}
