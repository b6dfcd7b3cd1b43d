// One entry point for controllers: a resolved VaultAuth (method plus its settings) in, a strategy
// out. Adding a method means one file in auth/ and one line here.
import { type AppRoleAuthOptions, appRoleAuth } from "./approle.ts";
import { type JwtAuthOptions, jwtAuth } from "./jwt.ts";
import { type KubernetesAuthOptions, kubernetesAuth } from "./kubernetes.ts";
import type { AuthStrategy } from "./strategy.ts";
import { type TokenAuthOptions, tokenAuth } from "./token.ts";

export type AuthConfig =
  | ({ method: "kubernetes" } & KubernetesAuthOptions)
  | ({ method: "jwt" } & JwtAuthOptions)
  | ({ method: "appRole" } & AppRoleAuthOptions)
  | ({ method: "token" } & TokenAuthOptions);

export function createAuthStrategy(config: AuthConfig): AuthStrategy {
  switch (config.method) {
    case "kubernetes":
      return kubernetesAuth(config);
    case "jwt":
      return jwtAuth(config);
    case "appRole":
      return appRoleAuth(config);
    case "token":
      return tokenAuth(config);
  }
}
