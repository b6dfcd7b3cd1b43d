// The transport to one Vault: one per VaultConnection. It owns the undici Agent (and so the TLS
// material), adds the connection's headers, the namespace and token headers, applies the
// per-attempt timeout, retries what is safe to retry, and turns every failure into a VaultError.
// It knows nothing about tokens' lifecycles: callers pass the token per request.
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import {
  errorsFromBody,
  failedBeforeSending,
  reasonForStatus,
  reasonForTransportError,
  VaultError,
} from "./errors.ts";
import {
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
} from "./retry.ts";
import { createAgent, type TlsAgent, type VaultTlsOptions } from "./tls.ts";

/** Vault's own client default, and VaultConnection's when `timeout` is unset. */
export const defaultTimeoutMs = 60_000;

export interface VaultHttpOptions {
  /** Base address, e.g. `https://vault.example.com:8200`; `/v1/` is appended. */
  address: string;
  tls?: VaultTlsOptions | undefined;
  /** Sent with every request (VaultConnection headers). X-Vault-Token/-Namespace are refused here. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Default X-Vault-Namespace for requests that do not name one. */
  namespace?: string | undefined;
  /** Per attempt, in milliseconds. */
  timeoutMs?: number | undefined;
  retry?: RetryPolicy | undefined;
  userAgent?: string | undefined;
  observer?: VaultHttpObserver | undefined;
}

/** For metrics: one call per attempt. Gets the path, never bodies or headers. */
export interface VaultHttpObserver {
  onAttempt?(info: {
    method: VaultMethod;
    path: string;
    status?: number;
    reason?: string;
    durationMs: number;
  }): void;
}

export type VaultMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "LIST";

export interface VaultRequest {
  method: VaultMethod;
  /** API path without `/v1/`, e.g. `kvv2/data/app`. Segments are URL-encoded here. */
  path: string;
  query?: Readonly<Record<string, string | number | boolean | undefined>> | undefined;
  body?: unknown;
  token?: string | undefined;
  /** Overrides the default namespace; `""` means the root namespace (no header). */
  namespace?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Whether sending it twice is harmless. Defaults to true for GET, LIST and DELETE. Writes are
   * retried only when the connection was never made.
   */
  idempotent?: boolean | undefined;
  /** Statuses returned as a response instead of thrown (sys/health's informative codes). */
  acceptStatuses?: readonly number[] | undefined;
  /**
   * Parses the response body instead of JSON.parse: engines whose responses end up in `_raw` or an
   * HMAC pass a parser that keeps number literals exactly as Vault wrote them.
   */
  parseBody?: ((text: string) => unknown) | undefined;
  signal?: AbortSignal | undefined;
}

export interface VaultResponse<T = unknown> {
  status: number;
  /** Parsed JSON; undefined for an empty body (204). */
  body: T;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

const reservedHeaders = new Set(["x-vault-token", "x-vault-namespace"]);

export class VaultHttp {
  readonly address: string;
  readonly namespace: string | undefined;
  readonly timeoutMs: number;
  readonly #base: URL;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #retry: RetryPolicy;
  readonly #userAgent: string;
  readonly #observer: VaultHttpObserver | undefined;
  #agent: TlsAgent;
  #closed = false;

  constructor(options: VaultHttpOptions) {
    this.#base = parseAddress(options.address);
    this.address = this.#base.href.replace(/\/$/, "");
    this.namespace = normalizeNamespace(options.namespace);
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.#headers = checkHeaders(options.headers ?? {});
    this.#retry = options.retry ?? defaultRetryPolicy;
    this.#userAgent = options.userAgent ?? "keyport";
    this.#observer = options.observer;
    this.#agent = createAgent(options.tls ?? {}, { connectTimeoutMs: Math.min(this.timeoutMs, 30_000) });
  }

  /**
   * Replaces CA, client certificate, SNI or skip-verify without replacing this object (a rotated
   * mTLS client certificate). New requests use the new Agent at once; requests already in flight
   * finish on the old one, which is then closed. Invalid material throws and changes nothing.
   */
  async updateTls(tls: VaultTlsOptions): Promise<void> {
    const next = createAgent(tls, { connectTimeoutMs: Math.min(this.timeoutMs, 30_000) });
    const previous = this.#agent;
    this.#agent = next;
    await previous.close();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#agent.close();
  }

  /** Sends one logical request, retrying per policy; throws VaultError on any failure. */
  async send<T = unknown>(req: VaultRequest): Promise<VaultResponse<T>> {
    if (this.#closed) {
      throw new VaultError({ reason: "InvalidConfiguration", message: "the Vault client is closed" });
    }
    const idempotent =
      req.idempotent ?? (req.method === "GET" || req.method === "LIST" || req.method === "DELETE");
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt<T>(req);
      if (!(outcome instanceof VaultError)) return outcome;
      // TLS failures are configuration, not blips; a timeout has already cost a full timeout and
      // the controller's backoff will try again.
      const retryable =
        outcome.status === undefined
          ? outcome.reason === "VaultUnreachable" && (idempotent || failedBeforeSending(outcome.cause))
          : idempotent && isRetryableStatus(outcome.status);
      if (!retryable || attempt >= this.#retry.maxRetries || req.signal?.aborted) throw outcome;
      const retryAfter = outcome instanceof RetryableVaultError ? outcome.retryAfterSeconds : undefined;
      await sleep(retryDelayMs(this.#retry, attempt, Math.random, retryAfter), undefined, {
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      });
    }
  }

  async #attempt<T>(req: VaultRequest): Promise<VaultResponse<T> | VaultError> {
    const url = this.#url(req);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal === undefined ? timeout : AbortSignal.any([timeout, req.signal]);
    const started = performance.now();
    const where = { method: req.method, path: req.path };
    const report = (status?: number, reason?: string) =>
      this.#observer?.onAttempt?.({
        ...where,
        ...(status === undefined ? {} : { status }),
        ...(reason === undefined ? {} : { reason }),
        durationMs: performance.now() - started,
      });
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await request(url, {
        method: req.method === "LIST" ? "GET" : req.method,
        dispatcher: this.#agent.dispatcher,
        headers: this.#headersFor(req),
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        signal,
      });
      status = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (cause) {
      // The caller gave up: that is not Vault's failure, so let it propagate unchanged.
      if (req.signal?.aborted) throw cause;
      const alert = this.#agent.tlsAlertFor(cause);
      const reason =
        alert !== undefined ? "TLSError" : timeout.aborted ? "Timeout" : reasonForTransportError(cause);
      report(undefined, reason);
      const message =
        transportMessage(req, reason, cause) + (alert === undefined ? "" : ` (TLS alert ${alert})`);
      return new VaultError({ reason, ...where, message, cause });
    }
    let body: unknown;
    try {
      body = text === "" ? undefined : (req.parseBody ?? JSON.parse)(text);
    } catch {
      // A proxy's HTML page or a health probe's text: no Vault errors[] to report.
      body = undefined;
      if (status >= 200 && status < 300) {
        report(status, "UnexpectedResponse");
        return new VaultError({
          reason: "UnexpectedResponse",
          status,
          ...where,
          message: `${req.method} ${req.path}: HTTP ${status}: the body is not JSON`,
        });
      }
    }
    if ((status >= 200 && status < 300) || (req.acceptStatuses ?? []).includes(status)) {
      report(status);
      return { status, body: body as T, headers };
    }
    const errors = errorsFromBody(body);
    const reason = status < 400 ? "UnexpectedResponse" : reasonForStatus(status, errors);
    report(status, reason);
    return new RetryableVaultError(
      { reason, status, errors, ...where },
      parseRetryAfter(headers["retry-after"]),
    );
  }

  #url(req: VaultRequest): URL {
    const path = req.path
      .replace(/^\/+/, "")
      .split("/")
      .map((segment) => encodeURIComponent(segment))
      .join("/");
    const url = new URL(`v1/${path}`, this.#base);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    // `?list=true` instead of the LIST verb: proxies and load balancers in front of Vault pass GET.
    if (req.method === "LIST") url.searchParams.set("list", "true");
    return url;
  }

  #headersFor(req: VaultRequest): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.#headers,
      ...checkHeaders(req.headers ?? {}),
      "user-agent": this.#userAgent,
      // Vault requires it on some endpoints as SSRF protection; harmless elsewhere.
      "x-vault-request": "true",
    };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    if (req.token !== undefined && req.token !== "") headers["x-vault-token"] = req.token;
    const namespace = req.namespace === undefined ? this.namespace : normalizeNamespace(req.namespace);
    if (namespace !== undefined) headers["x-vault-namespace"] = namespace;
    return headers;
  }
}

/** A VaultError that remembers Vault's Retry-After for the retry loop. */
class RetryableVaultError extends VaultError {
  readonly retryAfterSeconds: number | undefined;
  constructor(init: ConstructorParameters<typeof VaultError>[0], retryAfterSeconds: number | undefined) {
    super(init);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function transportMessage(req: VaultRequest, reason: string, cause: unknown): string {
  // Transport errors name hosts, ports and OpenSSL reasons: safe, and what an operator needs.
  const detail = cause instanceof Error ? describeCause(cause) : String(cause);
  return `${req.method} ${req.path}: ${reason}: ${detail}`;
}

function describeCause(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    const code = (current as { code?: unknown }).code;
    // Node appends advice about its own CLI flags ("try running Node.js with --use-system-ca"):
    // wrong for a cluster user, whose fix is the VaultConnection's CA.
    const message = current.message.replace(/;?\s*try running Node\.js with [^.]*\.?/i, "").trim();
    parts.push(typeof code === "string" ? `${message} (${code})` : message);
    current = current.cause;
  }
  return [...new Set(parts.filter((p) => p !== ""))].join(": ");
}

/** `""`, `"/"` and undefined all mean the root namespace; surrounding slashes are dropped. */
export function normalizeNamespace(namespace: string | undefined): string | undefined {
  const trimmed = namespace?.replace(/^\/+|\/+$/g, "");
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function parseAddress(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch (cause) {
    throw new VaultError({
      reason: "InvalidConfiguration",
      message: `invalid Vault address ${JSON.stringify(address)}`,
      cause,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new VaultError({
      reason: "InvalidConfiguration",
      message: `the Vault address must be http or https, not ${url.protocol}`,
    });
  }
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

function checkHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (reservedHeaders.has(lower)) {
      throw new VaultError({
        reason: "InvalidConfiguration",
        message: `header ${name} cannot be set directly: use the namespace or token instead`,
      });
    }
    out[lower] = value;
  }
  return out;
}
