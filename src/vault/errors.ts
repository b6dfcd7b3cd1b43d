// Every failure talking to Vault becomes one VaultError whose `reason` a controller can put in a
// status condition as is. Messages carry the method, the path, the HTTP status and Vault's own
// `errors[]` strings — never a request body, a token or secret data.

export type VaultErrorReason =
  /** Nothing answered: connection refused, DNS failure, socket closed before a response. */
  | "VaultUnreachable"
  /** No answer within the connection's timeout. */
  | "Timeout"
  /** The TLS handshake failed: unknown CA, hostname mismatch, client certificate refused. */
  | "TLSError"
  /** 503 from a sealed Vault. */
  | "VaultSealed"
  /** 403: the token lacks a policy, or is invalid, expired or revoked. */
  | "PermissionDenied"
  | "NotFound"
  /** 400: bad parameters, unknown role, invalid secret-id or JWT. */
  | "InvalidRequest"
  /** 429: rate limit quota. */
  | "RateLimited"
  /** Any other 5xx. */
  | "ServerError"
  /** A status or body this client does not understand. */
  | "UnexpectedResponse"
  /** The client was configured wrongly (bad PEM, forbidden header); no request was sent. */
  | "InvalidConfiguration"
  /** A static token expired or was revoked: there are no credentials to log in again with. */
  | "TokenExpired";

export interface VaultErrorInit {
  reason: VaultErrorReason;
  /** HTTP status, when Vault answered. */
  status?: number;
  /** Vault's `errors[]` from the response body. */
  errors?: readonly string[];
  method?: string;
  path?: string;
  /** Overrides the generated message; must not contain secret values. */
  message?: string;
  cause?: unknown;
}

export class VaultError extends Error {
  override readonly name = "VaultError";
  readonly reason: VaultErrorReason;
  readonly status: number | undefined;
  readonly errors: readonly string[];
  readonly method: string | undefined;
  readonly path: string | undefined;

  constructor(init: VaultErrorInit) {
    super(init.message ?? describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = init.reason;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.method = init.method;
    this.path = init.path;
  }

  /** What a log line or a status condition may show. */
  toJSON(): Record<string, unknown> {
    return {
      reason: this.reason,
      status: this.status,
      errors: this.errors,
      method: this.method,
      path: this.path,
      message: this.message,
    };
  }
}

function describe(init: VaultErrorInit): string {
  const where = init.method !== undefined && init.path !== undefined ? `${init.method} ${init.path}: ` : "";
  const status = init.status === undefined ? "" : `HTTP ${init.status}: `;
  const detail = init.errors !== undefined && init.errors.length > 0 ? init.errors.join("; ") : init.reason;
  return `${where}${status}${detail}`;
}

export function isVaultError(error: unknown, reason?: VaultErrorReason): error is VaultError {
  return error instanceof VaultError && (reason === undefined || error.reason === reason);
}

/** Classifies a Vault HTTP error response from its status and `errors[]`. */
export function reasonForStatus(status: number, errors: readonly string[]): VaultErrorReason {
  if (status === 503 && errors.some((e) => /\bsealed\b/i.test(e))) return "VaultSealed";
  if (status === 403) return "PermissionDenied";
  if (status === 404) return "NotFound";
  if (status === 400) return "InvalidRequest";
  if (status === 429) return "RateLimited";
  if (status >= 500) return "ServerError";
  return "UnexpectedResponse";
}

/** Vault's `{"errors": [...]}` body, tolerating anything else (an HTML proxy page, plain text). */
export function errorsFromBody(body: unknown): string[] {
  if (typeof body === "object" && body !== null && "errors" in body) {
    const errors = (body as { errors: unknown }).errors;
    if (Array.isArray(errors)) return errors.filter((e): e is string => typeof e === "string").map(tidy);
  }
  return [];
}

// Vault wraps multierrors as "1 error occurred:\n\t* permission denied\n\n"; a condition message
// reads better with the inner lines only.
function tidy(message: string): string {
  const inner = [...message.matchAll(/^\t\* (.+)$/gm)].map((m) => m[1]);
  return (inner.length > 0 ? inner.join("; ") : message).trim();
}

const tlsCodes =
  /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|HOSTNAME_MISMATCH|ERR_OSSL_)/;
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const timeoutCodes = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/**
 * Classifies an error thrown before any HTTP response arrived. The TLS check walks the cause
 * chain first: undici reports a refused client certificate as a socket error whose cause is the
 * TLS alert.
 */
export function reasonForTransportError(error: unknown): VaultErrorReason {
  const codes = codeChain(error);
  if (codes.some((c) => tlsCodes.test(c))) return "TLSError";
  if (codes.some((c) => timeoutCodes.has(c))) return "Timeout";
  if (chain(error).some((e) => e instanceof Error && e.name === "TimeoutError")) return "Timeout";
  if (codes.some((c) => unreachableCodes.has(c))) return "VaultUnreachable";
  return "VaultUnreachable";
}

/** Whether the request certainly never reached Vault, so even a non-idempotent one may be sent again. */
export function failedBeforeSending(error: unknown): boolean {
  const codes = codeChain(error);
  return codes.some((c) =>
    [
      "ECONNREFUSED",
      "ENOTFOUND",
      "EAI_AGAIN",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "UND_ERR_CONNECT_TIMEOUT",
    ].includes(c),
  );
}

function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.includes(current) && seen.length < 8) {
    seen.push(current);
    current =
      typeof current === "object" && "cause" in current ? (current as { cause: unknown }).cause : undefined;
  }
  return seen;
}

function codeChain(error: unknown): string[] {
  return chain(error)
    .map((e) =>
      typeof e === "object" && e !== null && "code" in e ? (e as { code: unknown }).code : undefined,
    )
    .filter((c): c is string => typeof c === "string");
}
