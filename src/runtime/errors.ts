// Reconcile failures as values with a reason: the same string becomes the status condition's
// reason, the Event's reason and a metric label, so callers use VSO's reason strings
// (VaultClientConfigError, SecretSyncError, …). Messages end up in Events and status: they must
// never carry secret values.

export interface ReconcileErrorOptions {
  /**
   * false means retrying cannot help until something changes (invalid spec, missing reference):
   * the key waits for a change instead of backing off — controller-runtime's TerminalError.
   * Defaults to true.
   */
  retryable?: boolean;
  /** Retry after this fixed delay instead of the per-key exponential backoff. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ReconcileError extends Error {
  override readonly name: string = "ReconcileError";
  readonly reason: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(reason: string, message: string, options: ReconcileErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.retryable = options.retryable ?? true;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The reason given to errors that carry none (a bug, or a library throwing something plain). */
export const unknownErrorReason = "ReconcileFailed";

/** The reason given to work cut short because the controller was stopping. */
export const abortedReason = "Aborted";

/**
 * Turns anything thrown by a reconcile into a ReconcileError.
 * - A ReconcileError is returned as is.
 * - An abort (AbortError, or the reason of an aborted signal) becomes `Aborted`, retryable.
 * - An error that already knows its reason and retryability (duck-typed `reason: string` and
 *   `retryable: boolean`, as lower layers' typed errors do) keeps both.
 * - Anything else gets `fallbackReason`, retryable: unknown failures are assumed transient.
 */
export function classifyError(error: unknown, fallbackReason: string = unknownErrorReason): ReconcileError {
  if (error instanceof ReconcileError) return error;
  const message = messageOf(error);
  if (isAbortError(error)) return new ReconcileError(abortedReason, message, { cause: error });
  if (isSelfDescribing(error)) {
    return new ReconcileError(error.reason, message, { retryable: error.retryable, cause: error });
  }
  return new ReconcileError(fallbackReason, message, { cause: error });
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function isSelfDescribing(error: unknown): error is { reason: string; retryable: boolean } {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { reason?: unknown; retryable?: unknown };
  return (
    typeof candidate.reason === "string" &&
    candidate.reason !== "" &&
    typeof candidate.retryable === "boolean"
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  return String(error);
}
