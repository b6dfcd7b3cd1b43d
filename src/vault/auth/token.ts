// A static token: there is nothing to log in with, so "authenticating" means asking Vault what
// the token is (TTL, renewable, accessor, policies). The token is not ours: it is never revoked.

import { lookupSelf } from "../engines/sys.ts";
import { isVaultError, VaultError } from "../errors.ts";
import type { VaultHttp } from "../http.ts";
import { grantFromLookup } from "../token-grant.ts";
import { type AuthStrategy, type Credential, resolveCredential } from "./strategy.ts";

export interface TokenAuthOptions {
  /** The token, or a function reading it (from a Secret) so a rotated token is picked up. */
  token: Credential;
  /** The namespace the token was created in. */
  namespace?: string | undefined;
}

export function tokenAuth(options: TokenAuthOptions): AuthStrategy {
  const namespace = options.namespace === "" ? undefined : options.namespace;
  return {
    method: "token",
    mount: undefined,
    namespace,
    ownsToken: false,
    async authenticate(http: VaultHttp, signal?: AbortSignal) {
      const token = await resolveCredential(options.token);
      try {
        return grantFromLookup(token, await lookupSelf(http, { token, namespace, signal }));
      } catch (error) {
        if (!isVaultError(error, "PermissionDenied")) throw error;
        throw new VaultError({
          reason: "TokenExpired",
          status: error.status,
          errors: error.errors,
          method: error.method,
          path: error.path,
          message: "the static Vault token is invalid, expired or revoked",
        });
      }
    },
  };
}
