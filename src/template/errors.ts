// Template failures as typed values. Messages carry the template name, line and column and a
// description written by Keyport; they never quote data the template was rendering, so a
// Secret's value cannot leak into a status condition, an Event or a log line.

export type TemplateErrorKind = "parse" | "exec" | "limit";

export class TemplateError extends Error {
  /** VSO's condition reason for a failed transformation. */
  readonly reason = "TransformationError";
  readonly kind: TemplateErrorKind;
  constructor(kind: TemplateErrorKind, message: string) {
    super(message);
    this.name = "TemplateError";
    this.kind = kind;
  }
}

/** Thrown by a template function; the executor adds the function name and location. */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuncError";
  }
}
