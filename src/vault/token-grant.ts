// What a login or a token lookup tells us about a token, in one shape for the lifecycle code.
import type { TokenLookup, VaultAuthBlock } from "./responses.ts";

export interface TokenGrant {
  /** The token itself: a secret. Never log a TokenGrant; use describeGrant. */
  token: string;
  accessor: string;
  /** Seconds the token lives from when it was granted or renewed; 0 means it never expires. */
  ttlSeconds: number;
  renewable: boolean;
  policies: readonly string[];
  entityId?: string | undefined;
  /** From a lookup: the TTL the token was created with (what renewals should ask for). */
  creationTtlSeconds?: number | undefined;
}

export function grantFromAuth(auth: VaultAuthBlock): TokenGrant {
  return {
    token: auth.client_token,
    accessor: auth.accessor,
    ttlSeconds: auth.lease_duration,
    renewable: auth.renewable,
    policies: auth.token_policies ?? auth.policies ?? [],
    entityId: auth.entity_id ?? undefined,
  };
}

export function grantFromLookup(token: string, lookup: TokenLookup): TokenGrant {
  return {
    token,
    accessor: lookup.accessor,
    ttlSeconds: lookup.ttl,
    renewable: lookup.renewable,
    policies: lookup.policies ?? [],
    entityId: lookup.entity_id ?? undefined,
    creationTtlSeconds: lookup.creation_ttl ?? undefined,
  };
}

/** A grant without its token: safe for logs, status and metrics labels. */
export function describeGrant(grant: TokenGrant): Omit<TokenGrant, "token"> {
  const { token: _token, ...rest } = grant;
  return rest;
}
