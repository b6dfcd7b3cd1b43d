// The error parse() returns: which object, which fields, and why, in words a user can act on.
import type { z } from "zod";

export interface FieldIssue {
  /** JSON-ish path from the object root, e.g. `spec.destination.name` or `spec.rolloutRestartTargets[0].kind`. */
  path: string;
  message: string;
}

export class ResourceValidationError extends Error {
  override readonly name = "ResourceValidationError";
  /** VSO's condition and event reason for a resource that cannot be used as written. */
  readonly reason = "InvalidConfiguration";
  readonly kind: string;
  /** `namespace/name`, `name`, or "" when the object has no metadata. */
  readonly objectKey: string;
  readonly issues: readonly FieldIssue[];

  constructor(kind: string, objectKey: string, issues: readonly FieldIssue[]) {
    const subject = objectKey === "" ? kind : `${kind} ${objectKey}`;
    super(`${subject} is invalid: ${issues.map(describeIssue).join("; ")}`);
    this.kind = kind;
    this.objectKey = objectKey;
    this.issues = issues;
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ResourceValidationError };

function describeIssue(issue: FieldIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

export function fieldIssues(error: z.ZodError, pathPrefix: readonly PropertyKey[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...pathPrefix, ...issue.path]),
    message: readableMessage(issue),
  }));
}

// zod's own wording for a missing field ("expected string, received undefined") hides the point.
function readableMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.input === undefined) return "required field is missing";
  return issue.message;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
      out += out === "" ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
