// Failures talking to the API server, as one typed error. `reason` is the Kubernetes Status
// reason (NotFound, Conflict, AlreadyExists, Expired, Invalid, Forbidden, …), or one of ours when
// no Status came back (NetworkError, Timeout, InvalidResponse). It deliberately has no
// `retryable` flag: a controller decides what a Kubernetes failure means for its object (VSO
// reports most as K8sClientError) — see classifyError in src/runtime/errors.ts.
import type { KubeStatus } from "./object.ts";

export class KubeApiError extends Error {
  override readonly name: string = "KubeApiError";
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly reason: string;
  readonly details: KubeStatus["details"];
  readonly method: string;
  readonly path: string;

  constructor(
    init: {
      status: number;
      reason: string;
      message: string;
      method: string;
      path: string;
      details?: KubeStatus["details"];
    },
    options?: { cause?: unknown },
  ) {
    super(
      `${init.method} ${init.path}: ${init.status === 0 ? "" : `${init.status} `}${init.reason}: ${init.message}`,
      options,
    );
    this.status = init.status;
    this.reason = init.reason;
    this.details = init.details;
    this.method = init.method;
    this.path = init.path;
  }

  /** Builds the error from a Status body (a failed response, or a watch ERROR event). */
  static fromStatus(status: KubeStatus, httpStatus: number, method: string, path: string): KubeApiError {
    const code = status.code ?? httpStatus;
    return new KubeApiError({
      status: code,
      reason: status.reason || reasonForCode(code),
      message: status.message ?? "",
      method,
      path,
      ...(status.details === undefined ? {} : { details: status.details }),
    });
  }
}

/** The Status reason the API server uses for a code, for bodies that carry none. */
export function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof KubeApiError ? error.status : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** A write lost an optimistic-concurrency race (stale resourceVersion or failed precondition). */
export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409 && (error as KubeApiError).reason !== "AlreadyExists";
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubeApiError && error.reason === "AlreadyExists";
}

/** The resourceVersion asked for is older than etcd keeps: list again. */
export function isGone(error: unknown): boolean {
  return statusOf(error) === 410;
}

export function isForbidden(error: unknown): boolean {
  return statusOf(error) === 403;
}

export function isInvalid(error: unknown): boolean {
  return statusOf(error) === 422;
}
