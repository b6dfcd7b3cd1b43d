// JWT auth: Vault validates the JWT itself (public keys, JWKS or OIDC discovery). The role is
// optional because a jwt mount may have a default_role.
import {
  type Credential,
  type LoginOptions,
  type LoginStrategy,
  loginStrategy,
  resolveCredential,
} from "./strategy.ts";

export interface JwtAuthOptions extends LoginOptions {
  role?: string | undefined;
  jwt: Credential;
}

export function jwtAuth(options: JwtAuthOptions): LoginStrategy {
  return loginStrategy("jwt", options, async () => ({
    ...(options.role === undefined || options.role === "" ? {} : { role: options.role }),
    jwt: await resolveCredential(options.jwt),
  }));
}
