// The Vault client, for controllers: nothing here knows Kubernetes.
export { type AppRoleAuthOptions, appRoleAuth } from "./auth/approle.ts";
export { type AuthConfig, createAuthStrategy } from "./auth/config.ts";
export { type JwtAuthOptions, jwtAuth } from "./auth/jwt.ts";
export { type KubernetesAuthOptions, kubernetesAuth } from "./auth/kubernetes.ts";
export {
  type AuthMethodName,
  type AuthStrategy,
  type Credential,
  type LoginOptions,
  type LoginRequest,
  type LoginStrategy,
  login,
  loginStrategy,
} from "./auth/strategy.ts";
export { type TokenAuthOptions, tokenAuth } from "./auth/token.ts";
export * from "./cache.ts";
export * from "./cache-key.ts";
export * from "./client.ts";
export { vaultClientId } from "./client-id.ts";
export { type Clock, systemClock } from "./clock.ts";
export * from "./engines/kv.ts";
export * from "./engines/pki.ts";
export * from "./engines/secrets.ts";
export * from "./engines/sys.ts";
export * from "./engines/transit.ts";
export * from "./errors.ts";
export * from "./health.ts";
export * from "./http.ts";
export type { VaultAuthBlock, VaultSecretResponse } from "./responses.ts";
export { defaultRetryPolicy, noRetries, type RetryPolicy } from "./retry.ts";
export type { VaultTlsOptions } from "./tls.ts";
export { validateTls } from "./tls.ts";
export * from "./token.ts";
export { describeGrant, type TokenGrant } from "./token-grant.ts";
