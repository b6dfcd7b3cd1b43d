// AppRole auth: a role-id and (unless the role has bind_secret_id=false) a secret-id.
import {
  type Credential,
  type LoginOptions,
  type LoginStrategy,
  loginStrategy,
  resolveCredential,
} from "./strategy.ts";

export interface AppRoleAuthOptions extends LoginOptions {
  roleId: string;
  secretId?: Credential | undefined;
}

export function appRoleAuth(options: AppRoleAuthOptions): LoginStrategy {
  const secretId = options.secretId;
  return loginStrategy("appRole", options, async () => ({
    role_id: options.roleId,
    ...(secretId === undefined ? {} : { secret_id: await resolveCredential(secretId) }),
  }));
}
