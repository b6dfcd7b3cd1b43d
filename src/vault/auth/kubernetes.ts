// Kubernetes auth: Vault reviews a service-account JWT with the apiserver. The caller mints the
// JWT (TokenRequest for the VaultAuth's service account and audiences); pass a function so each
// login gets a fresh one.
import {
  type Credential,
  type LoginOptions,
  type LoginStrategy,
  loginStrategy,
  resolveCredential,
} from "./strategy.ts";

export interface KubernetesAuthOptions extends LoginOptions {
  role: string;
  jwt: Credential;
}

export function kubernetesAuth(options: KubernetesAuthOptions): LoginStrategy {
  return loginStrategy("kubernetes", options, async () => ({
    role: options.role,
    jwt: await resolveCredential(options.jwt),
  }));
}
