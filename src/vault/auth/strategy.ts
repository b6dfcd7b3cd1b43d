// An auth method is a strategy that obtains a token. Login methods (kubernetes, jwt, appRole) only
// differ in the body they send to `auth/<mount>/login`, so each one is a small function producing
// a LoginRequest and `login` does the rest. A new method (aws, gcp, cert) is one more such file.
import type { VaultHttp } from "../http.ts";
import { authBlockSchema, parseResponse, type VaultSecretResponse } from "../responses.ts";
import { grantFromAuth, type TokenGrant } from "../token-grant.ts";

/** VSO's method names, plus `token` for a static token. */
export type AuthMethodName = "kubernetes" | "jwt" | "appRole" | "token";

/**
 * A secret input: the value, or a function that produces it when a login needs it. Use a function
 * for anything that expires or rotates (a TokenRequest JWT, a secret-id read from a Secret), so a
 * login an hour later does not reuse a stale value.
 */
export type Credential = string | (() => string | Promise<string>);

export async function resolveCredential(credential: Credential): Promise<string> {
  return typeof credential === "function" ? await credential() : credential;
}

export interface AuthStrategy {
  readonly method: AuthMethodName;
  /** Auth mount (without `auth/`); undefined for a static token. */
  readonly mount: string | undefined;
  /** Vault namespace the login happens in and the token lives in; undefined for root. */
  readonly namespace: string | undefined;
  /**
   * Whether tokens from this strategy are ours to revoke. False for a static token: it belongs to
   * whoever issued it, and revoking it when a cache entry is pruned would break them.
   */
  readonly ownsToken: boolean;
  /** Obtains a token: a login, or for a static token a lookup of what it is. */
  authenticate(http: VaultHttp, signal?: AbortSignal): Promise<TokenGrant>;
}

/** Options every login method accepts (VaultAuth mount, namespace, params, headers). */
export interface LoginOptions {
  mount: string;
  namespace?: string | undefined;
  /** Extra fields for the login body. The method's own fields (role, jwt, …) win on conflict. */
  params?: Readonly<Record<string, unknown>> | undefined;
  /** Headers sent with the login request only. */
  headers?: Readonly<Record<string, string>> | undefined;
}

export interface LoginRequest {
  /** `auth/<mount>/login`. */
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  namespace: string | undefined;
}

export interface LoginStrategy extends AuthStrategy {
  readonly mount: string;
  /** The request `authenticate` sends; credentials are resolved each time. */
  loginRequest(): Promise<LoginRequest>;
}

export function loginStrategy(
  method: Exclude<AuthMethodName, "token">,
  options: LoginOptions,
  methodBody: () => Promise<Record<string, unknown>>,
): LoginStrategy {
  const mount = options.mount.replace(/^\/+|\/+$/g, "");
  if (mount === "") throw new TypeError(`${method} auth needs a mount`);
  const namespace = options.namespace === "" ? undefined : options.namespace;
  const loginRequest = async (): Promise<LoginRequest> => ({
    path: `auth/${mount}/login`,
    body: { ...options.params, ...(await methodBody()) },
    headers: { ...options.headers },
    namespace,
  });
  return {
    method,
    mount,
    namespace,
    ownsToken: true,
    loginRequest,
    authenticate: async (http, signal) => login(http, await loginRequest(), signal),
  };
}

export async function login(
  http: VaultHttp,
  request: LoginRequest,
  signal?: AbortSignal,
): Promise<TokenGrant> {
  const res = await http.send<VaultSecretResponse | undefined>({
    method: "POST",
    path: request.path,
    body: request.body,
    headers: request.headers,
    namespace: request.namespace,
    signal,
  });
  return grantFromAuth(parseResponse(authBlockSchema, res.body?.auth, request.path));
}
