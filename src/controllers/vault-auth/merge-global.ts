// VaultAuthGlobal's merge rules (VSO's semantics): the VaultAuth's own values win, a global fills
// what is empty, field by field for the method's settings; headers and params follow the chosen
// strategy. The result is what a login actually uses, validated as a whole.
import type {
  AppRoleAuth,
  AuthMethod,
  AwsAuth,
  GcpAuth,
  JwtAuth,
  KubernetesAuth,
  MergeStrategy,
  TokenAuth,
  VaultAuthGlobalSpec,
  VaultAuthSpec,
} from "../../api/index.ts";

export interface MethodSettings {
  kubernetes?: KubernetesAuth;
  jwt?: JwtAuth;
  appRole?: AppRoleAuth;
  aws?: AwsAuth;
  gcp?: GcpAuth;
  token?: TokenAuth;
}

export interface EffectiveAuth extends MethodSettings {
  method: AuthMethod;
  mount: string;
  vaultNamespace: string | undefined;
  params: Record<string, string>;
  headers: Record<string, string>;
  vaultConnectionRef: string | undefined;
}

export class AuthConfigError extends Error {
  readonly reason = "InvalidConfiguration";
}

const perMethodOnly = new Set(["namespace", "mount", "params", "headers"]);

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}

function isEmptyMap(map: Record<string, string> | undefined): boolean {
  return map === undefined || Object.keys(map).length === 0;
}

function mergeMaps(
  strategy: MergeStrategy,
  own: Record<string, string> | undefined,
  perMethod: Record<string, string> | undefined,
  defaults: Record<string, string> | undefined,
): Record<string, string> {
  switch (strategy) {
    case "union":
      return { ...defaults, ...perMethod, ...own };
    case "replace":
      return { ...([own, perMethod, defaults].find((m) => !isEmptyMap(m)) ?? {}) };
    default:
      return { ...own };
  }
}

/** Field by field: a field the VaultAuth leaves empty takes the global's value. */
function mergeSettings<T extends object>(own: T | undefined, global: object | undefined): T | undefined {
  if (own === undefined && global === undefined) return undefined;
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(global ?? {})) {
    if (!perMethodOnly.has(key)) merged[key] = value;
  }
  for (const [key, value] of Object.entries(own ?? {})) {
    const empty = value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
    if (!empty || merged[key] === undefined) merged[key] = value;
  }
  return merged as T;
}

export interface MergeStrategies {
  headers?: MergeStrategy | undefined;
  params?: MergeStrategy | undefined;
}

export function effectiveAuth(
  auth: VaultAuthSpec,
  global?: VaultAuthGlobalSpec,
  strategies: MergeStrategies = {},
): EffectiveAuth {
  const method = auth.method ?? global?.defaultAuthMethod;
  if (method === undefined)
    throw new AuthConfigError("no auth method: set spec.method (or defaultAuthMethod)");
  const perMethod = global?.[method] as
    | {
        namespace?: string;
        mount?: string;
        params?: Record<string, string>;
        headers?: Record<string, string>;
      }
    | undefined;
  // A static token needs no login, so no auth mount either.
  const mount =
    [auth.mount, perMethod?.mount, global?.defaultMount].find(nonEmpty) ??
    (method === "token" ? "" : undefined);
  if (mount === undefined) throw new AuthConfigError(`no mount for auth method ${method}: set spec.mount`);
  const effective: EffectiveAuth = {
    method,
    mount,
    vaultNamespace: [auth.namespace, perMethod?.namespace, global?.defaultVaultNamespace].find(nonEmpty),
    params: mergeMaps(strategies.params ?? "none", auth.params, perMethod?.params, global?.params),
    headers: mergeMaps(strategies.headers ?? "none", auth.headers, perMethod?.headers, global?.headers),
    vaultConnectionRef: [auth.vaultConnectionRef, global?.vaultConnectionRef].find(nonEmpty),
  };
  const settings = mergeSettings(auth[method] as object | undefined, perMethod);
  if (settings !== undefined) (effective as unknown as Record<string, unknown>)[method] = settings;
  validate(effective);
  return effective;
}

function validate(auth: EffectiveAuth): void {
  const need = (ok: boolean, message: string) => {
    if (!ok) throw new AuthConfigError(`${auth.method} auth: ${message}`);
  };
  switch (auth.method) {
    case "kubernetes":
      need(nonEmpty(auth.kubernetes?.role), "role is required");
      need(nonEmpty(auth.kubernetes?.serviceAccount), "serviceAccount is required");
      break;
    case "jwt":
      need(nonEmpty(auth.jwt?.role), "role is required");
      need(
        nonEmpty(auth.jwt?.serviceAccount) || nonEmpty(auth.jwt?.secretRef),
        "serviceAccount or secretRef is required",
      );
      break;
    case "appRole":
      need(nonEmpty(auth.appRole?.roleId), "roleId is required");
      need(
        nonEmpty(auth.appRole?.secretRef) !== nonEmpty(auth.appRole?.secretIDPath),
        "exactly one of secretRef and secretIDPath is required",
      );
      break;
    case "token":
      need(nonEmpty(auth.token?.secretRef), "secretRef is required");
      break;
    case "aws":
    case "gcp":
      need(false, "not supported by Keyport (no AWS or GCP identity is reachable from this operator)");
  }
}
