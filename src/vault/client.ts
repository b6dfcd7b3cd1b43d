// An authenticated view of one Vault: a transport, where its token comes from, and the namespace
// its requests default to. Engines (kv, sys, …) are plain functions over the VaultSender
// interface, so adding one never touches this file.
import { isVaultError, type VaultError } from "./errors.ts";
import type { VaultHttp, VaultRequest, VaultResponse } from "./http.ts";
import type { VaultSecretResponse } from "./responses.ts";

/** Anything that sends a Vault request: the raw transport or an authenticated client. */
export interface VaultSender {
  send<T = unknown>(req: VaultRequest): Promise<VaultResponse<T>>;
}

/** Where a client gets its token. TokenSession is the real one; tests and admin code use staticToken. */
export interface TokenProvider {
  /** A token that is valid now, logging in first when needed. */
  token(signal?: AbortSignal): Promise<string>;
  /**
   * Told that `token` got a 403. Resolves true when the request should be sent once more,
   * because the token was replaced (it was revoked or expired, or its policies may be stale).
   */
  recoverFromForbidden?(token: string, error: VaultError, signal?: AbortSignal): Promise<boolean>;
}

export function staticToken(token: string): TokenProvider {
  return { token: async () => token };
}

export interface VaultClientOptions {
  http: VaultHttp;
  tokens: TokenProvider;
  /** Namespace for requests that name none; undefined inherits the transport's, "" is root. */
  namespace?: string | undefined;
}

export interface ReadOptions {
  query?: Readonly<Record<string, string | number | boolean | undefined>> | undefined;
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface WriteOptions {
  namespace?: string | undefined;
  /** Set for writes that are safe to repeat (lease renewal, revocation) so they are retried. */
  idempotent?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export class VaultClient implements VaultSender {
  readonly http: VaultHttp;
  readonly tokens: TokenProvider;
  readonly namespace: string | undefined;

  constructor(options: VaultClientOptions) {
    this.http = options.http;
    this.tokens = options.tokens;
    this.namespace = options.namespace;
  }

  /** The same token against another namespace (VSO's "clone"): no second login. */
  withNamespace(namespace: string | undefined): VaultClient {
    return new VaultClient({ http: this.http, tokens: this.tokens, namespace });
  }

  /**
   * Sends with this client's token and namespace. A request that names its own token is sent as
   * is. On a 403 the token provider may replace the token; the request is then sent once more.
   */
  async send<T = unknown>(req: VaultRequest): Promise<VaultResponse<T>> {
    const namespace = req.namespace ?? this.namespace;
    const withNamespace = namespace === undefined ? req : { ...req, namespace };
    if (req.token !== undefined) return this.http.send<T>(withNamespace);
    const token = await this.tokens.token(req.signal);
    try {
      return await this.http.send<T>({ ...withNamespace, token });
    } catch (error) {
      if (!isVaultError(error, "PermissionDenied") || this.tokens.recoverFromForbidden === undefined)
        throw error;
      if (!(await this.tokens.recoverFromForbidden(token, error, req.signal))) throw error;
      return this.http.send<T>({ ...withNamespace, token: await this.tokens.token(req.signal) });
    }
  }

  async read<T = Record<string, unknown>>(
    path: string,
    options: ReadOptions = {},
  ): Promise<VaultSecretResponse<T>> {
    const res = await this.send<VaultSecretResponse<T> | undefined>({
      method: "GET",
      path,
      query: options.query,
      namespace: options.namespace,
      signal: options.signal,
    });
    return res.body ?? {};
  }

  async write<T = Record<string, unknown>>(
    path: string,
    body: unknown,
    options: WriteOptions = {},
  ): Promise<VaultSecretResponse<T>> {
    const res = await this.send<VaultSecretResponse<T> | undefined>({
      method: "POST",
      path,
      body: body ?? {},
      namespace: options.namespace,
      idempotent: options.idempotent,
      signal: options.signal,
    });
    return res.body ?? {};
  }

  /** The keys under `path`; an empty list when Vault says 404 (which is how it reports "no keys"). */
  async list(path: string, options: Omit<ReadOptions, "query"> = {}): Promise<string[]> {
    const res = await this.listResponse<{ keys?: string[] }>(path, options);
    return res?.data?.keys ?? [];
  }

  /** The whole LIST response (some endpoints add `key_info`), or undefined on 404. */
  async listResponse<T = { keys?: string[] }>(
    path: string,
    options: Omit<ReadOptions, "query"> = {},
  ): Promise<VaultSecretResponse<T> | undefined> {
    try {
      const res = await this.send<VaultSecretResponse<T> | undefined>({
        method: "LIST",
        path,
        namespace: options.namespace,
        signal: options.signal,
      });
      return res.body;
    } catch (error) {
      if (isVaultError(error, "NotFound")) return undefined;
      throw error;
    }
  }

  async delete(path: string, options: Omit<WriteOptions, "idempotent"> = {}): Promise<void> {
    await this.send({ method: "DELETE", path, namespace: options.namespace, signal: options.signal });
  }
}
