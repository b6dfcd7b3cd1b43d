// How Keyport talks to the API server: kubeconfig and authentication from @kubernetes/client-node
// (exec plugins, OIDC, rotating service-account tokens, client certificates), and raw JSON over
// undici for everything else — any path, CRDs included, watch streams as async iterables.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { type Dispatcher, request } from "undici";
import { type Clock, systemClock, type Timer } from "../runtime/clock.ts";
import { isAbortError } from "../runtime/errors.ts";
import { TokenBucket } from "../runtime/token-bucket.ts";
import { KubeApiError } from "./errors.ts";
import type { KubeStatus, WatchEvent } from "./object.ts";

const serviceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export interface KubeConfigSource {
  /** An explicit kubeconfig file (the --kubeconfig flag); wins over everything else. */
  kubeconfig?: string | undefined;
  /** A context other than the file's current-context. */
  context?: string | undefined;
}

/**
 * Loads the configuration the way controller-runtime does: --kubeconfig, then $KUBECONFIG
 * (several files merge), then the in-cluster service account, then ~/.kube/config. Unlike
 * client-node's loadFromDefault, in-cluster wins over a stray ~/.kube/config, and finding
 * nothing is an error rather than a silent http://localhost:8080.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  const home = join(homedir(), ".kube", "config");
  if (source.kubeconfig !== undefined && source.kubeconfig !== "") {
    kc.loadFromFile(source.kubeconfig);
  } else if (process.env.KUBECONFIG !== undefined && process.env.KUBECONFIG !== "") {
    kc.loadFromDefault();
  } else if (process.env.KUBERNETES_SERVICE_HOST !== undefined && existsSync(serviceAccountTokenPath)) {
    kc.loadFromCluster();
  } else if (existsSync(home)) {
    kc.loadFromFile(home);
  } else {
    throw new Error("no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or run in a cluster");
  }
  if (source.context !== undefined && source.context !== "") {
    if (kc.getContextObject(source.context) === null)
      throw new Error(`kubeconfig has no context "${source.context}"`);
    kc.setCurrentContext(source.context);
  }
  if (kc.getCurrentCluster() === null) throw new Error("kubeconfig has no current cluster");
  return kc;
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query | undefined;
  /** Serialised as JSON (which is also valid apply-patch YAML). */
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string | undefined;
  /** Overrides the client's per-request timeout. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface WatchOptions {
  query?: Query | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Gives up on a stream silent for this long. Pair it with the server's timeoutSeconds and
   * bookmarks (roughly one a minute): a healthy watch is never this quiet.
   */
  idleTimeoutMs?: number | undefined;
}

export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  /**
   * Sustained requests per second (--kube-client-qps). 0 means the default, 20, as VSO gets from
   * controller-runtime; a negative value turns throttling off.
   */
  qps?: number | undefined;
  /** Requests allowed at once above the rate (--kube-client-burst). 0 means the default, 30. */
  burst?: number | undefined;
  /** Time allowed for a whole request, or for a watch's response headers. Default 30 s. */
  timeoutMs?: number | undefined;
  userAgent?: string | undefined;
  /**
   * How long one TLS dispatcher (connection pool) is reused before the next request adopts a
   * freshly built one, so rotated CA bundles and client certificates are picked up. Default 5 min.
   */
  dispatcherMaxAgeMs?: number | undefined;
  clock?: Clock | undefined;
}

export const defaultQps = 20;
export const defaultBurst = 30;

/**
 * A small typed client: every request is authenticated by the KubeConfig, throttled by the
 * token bucket, bounded by a timeout, and fails with a KubeApiError.
 */
export class KubeClient {
  readonly #kc: KubeConfig;
  readonly #server: string;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #dispatcherMaxAgeMs: number;
  readonly #clock: Clock;
  readonly #bucket: TokenBucket;
  /**
   * applySecurityAuthentication builds a new undici Agent on every call; using each one once
   * would cost a TLS handshake per request and strand idle sockets. So one is kept (the
   * others are dropped unused — they open no connection) and replaced after
   * dispatcherMaxAgeMs or a transport error.
   */
  #dispatcher: { current: Dispatcher | undefined; since: number } | undefined;
  /** Replaced dispatchers waiting to be closed, with the timer that will close them. */
  readonly #retired = new Map<Dispatcher, Timer>();

  constructor(options: KubeClientOptions) {
    this.#kc = options.kubeConfig;
    const cluster = this.#kc.getCurrentCluster();
    if (cluster === null) throw new Error("kubeconfig has no current cluster");
    this.#server = cluster.server.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#userAgent = options.userAgent ?? "keyport";
    this.#dispatcherMaxAgeMs = options.dispatcherMaxAgeMs ?? 300_000;
    this.#clock = options.clock ?? systemClock;
    const qps = options.qps === undefined || options.qps === 0 ? defaultQps : options.qps;
    const burst = options.burst === undefined || options.burst === 0 ? defaultBurst : options.burst;
    this.#bucket = new TokenBucket({ ratePerSecond: qps, burst, clock: this.#clock });
  }

  /** The API server's base URL. */
  get server(): string {
    return this.#server;
  }

  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /** The namespace of the current kubeconfig context (in-cluster: the pod's), if any. */
  get contextNamespace(): string | undefined {
    const name = this.#kc.getCurrentContext();
    return this.#kc.getContextObject(name)?.namespace ?? undefined;
  }

  get<T>(path: string, options: Omit<RequestOptions, "body"> = {}): Promise<T> {
    return this.request<T>("GET", path, options);
  }

  post<T>(path: string, body: unknown, options: Omit<RequestOptions, "body"> = {}): Promise<T> {
    return this.request<T>("POST", path, { ...options, body });
  }

  put<T>(path: string, body: unknown, options: Omit<RequestOptions, "body"> = {}): Promise<T> {
    return this.request<T>("PUT", path, { ...options, body });
  }

  patch<T>(
    path: string,
    body: unknown,
    contentType: string,
    options: Omit<RequestOptions, "body"> = {},
  ): Promise<T> {
    return this.request<T>("PATCH", path, { ...options, body, contentType });
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("DELETE", path, options);
  }

  /** One request; resolves to the parsed JSON body (undefined when empty). */
  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.#url(path, options.query);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    try {
      await this.#bucket.take(signal);
      const { headers, dispatcher } = await this.#authenticate(url, method);
      const hasBody = options.body !== undefined;
      const response = await request(url, {
        method,
        headers: {
          ...headers,
          accept: "application/json",
          "user-agent": this.#userAgent,
          ...(hasBody ? { "content-type": options.contentType ?? "application/json" } : {}),
        },
        ...(hasBody ? { body: JSON.stringify(options.body) } : {}),
        ...(dispatcher === undefined ? {} : { dispatcher }),
        signal,
      });
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        return (text === "" ? undefined : JSON.parse(text)) as T;
      }
      throw this.#failure(response.statusCode, text, method, path);
    } catch (error) {
      throw this.#translate(error, method, path, options.signal, timeout, timeoutMs);
    }
  }

  /**
   * Opens a watch (`watch=true` is added) and yields its events until the server ends the stream.
   * Throws KubeApiError for a failed open (410 Gone included) or a broken stream; ERROR events
   * are yielded, for the caller to judge. Breaking out of the loop closes the connection.
   */
  async *watch<T>(path: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const url = this.#url(path, { ...options.query, watch: true });
    const idleTimeoutMs = options.idleTimeoutMs ?? 330_000;
    let response: Dispatcher.ResponseData | undefined;
    try {
      await this.#bucket.take(options.signal);
      const { headers, dispatcher } = await this.#authenticate(url, "GET");
      response = await request(url, {
        method: "GET",
        headers: { ...headers, accept: "application/json", "user-agent": this.#userAgent },
        ...(dispatcher === undefined ? {} : { dispatcher }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: idleTimeoutMs,
      });
      if (response.statusCode !== 200) {
        throw this.#failure(response.statusCode, await response.body.text(), "WATCH", path);
      }
      response.body.setEncoding("utf8");
      let pending = "";
      for await (const chunk of response.body) {
        pending += chunk as string;
        let start = 0;
        for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
          const line = pending.slice(start, end).trim();
          start = end + 1;
          if (line === "") continue;
          yield parseEvent<T>(line, path);
        }
        pending = pending.slice(start);
      }
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const limit = code === "UND_ERR_HEADERS_TIMEOUT" ? this.#timeoutMs : idleTimeoutMs;
      throw this.#translate(error, "WATCH", path, options.signal, undefined, limit);
    } finally {
      response?.body.destroy();
    }
  }

  /**
   * Closes every connection; requests in flight fail. The client stays usable: a later request
   * opens new connections.
   */
  async close(): Promise<void> {
    const dispatchers = [...this.#retired.keys()];
    for (const timer of this.#retired.values()) timer.cancel();
    if (this.#dispatcher?.current !== undefined) dispatchers.push(this.#dispatcher.current);
    this.#dispatcher = undefined;
    this.#retired.clear();
    await Promise.allSettled(dispatchers.map((d) => d.destroy()));
  }

  #url(path: string, query: Query | undefined): string {
    const url = new URL(this.#server + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async #authenticate(
    url: string,
    method: Method,
  ): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const context = new RequestContext(url, HttpMethod[method]);
    await this.#kc.applySecurityAuthentication(context);
    const now = this.#clock.now();
    if (this.#dispatcher === undefined || now - this.#dispatcher.since >= this.#dispatcherMaxAgeMs) {
      const previous = this.#dispatcher?.current;
      this.#dispatcher = { current: context.getDispatcher(), since: now };
      if (previous !== undefined) this.#retire(previous);
    }
    return { headers: context.getHeaders(), dispatcher: this.#dispatcher.current };
  }

  /**
   * Lets a replaced dispatcher finish its requests (watches included), then closes it. The close
   * waits a little, because a request may have picked this dispatcher up a moment ago and not
   * yet sent anything — and a closed dispatcher refuses new requests.
   */
  #retire(dispatcher: Dispatcher): void {
    const timer = this.#clock.setTimer(() => {
      this.#retired.delete(dispatcher);
      dispatcher.close().catch(() => {});
    }, 10_000);
    this.#retired.set(dispatcher, timer);
  }

  #failure(status: number, text: string, method: string, path: string): KubeApiError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (typeof body === "object" && body !== null && (body as KubeStatus).kind === "Status") {
      return KubeApiError.fromStatus(body as KubeStatus, status, method, path);
    }
    return KubeApiError.fromStatus({ message: text.slice(0, 500) }, status, method, path);
  }

  #translate(
    error: unknown,
    method: string,
    path: string,
    callerSignal: AbortSignal | undefined,
    timeout: AbortSignal | undefined,
    timeoutMs: number,
  ): unknown {
    if (error instanceof KubeApiError) return error;
    // The caller's own abort stays an abort, so controllers can tell shutdown from failure.
    if (callerSignal?.aborted) return callerSignal.reason;
    const code = (error as { code?: unknown } | null)?.code;
    if (timeout?.aborted || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT") {
      const message =
        code === "UND_ERR_BODY_TIMEOUT"
          ? `the stream was silent for ${timeoutMs} ms`
          : `no response within ${timeoutMs} ms`;
      return new KubeApiError({ status: 0, reason: "Timeout", message, method, path }, { cause: error });
    }
    if (error instanceof SyntaxError) {
      return new KubeApiError(
        { status: 0, reason: "InvalidResponse", message: error.message, method, path },
        { cause: error },
      );
    }
    if (isAbortError(error)) return error;
    // A transport failure may mean rotated TLS material: build a fresh dispatcher next time.
    if (this.#dispatcher !== undefined) this.#dispatcher.since = Number.NEGATIVE_INFINITY;
    return new KubeApiError(
      { status: 0, reason: "NetworkError", message: describeNetworkError(error), method, path },
      { cause: error },
    );
  }
}

function parseEvent<T>(line: string, path: string): WatchEvent<T> {
  try {
    const event = JSON.parse(line) as WatchEvent<T>;
    if (typeof event?.type !== "string" || typeof event.object !== "object")
      throw new SyntaxError("not a watch event");
    return event;
  } catch (error) {
    throw new KubeApiError(
      {
        status: 0,
        reason: "InvalidResponse",
        message: `unreadable watch event: ${(error as Error).message}`,
        method: "WATCH",
        path,
      },
      { cause: error },
    );
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const code = (error as { code?: string }).code ?? cause?.code;
  const detail = cause?.message !== undefined && cause.message !== error.message ? `: ${cause.message}` : "";
  return `${code === undefined ? "" : `${code} `}${error.message}${detail}`;
}
