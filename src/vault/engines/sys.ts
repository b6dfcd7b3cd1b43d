// Token self-management and lease management. The token functions take the token explicitly
// (through `options.token` when the sender is the raw transport) because the token lifecycle calls
// them for a token that is not yet, or no longer, the client's current one.
import type { VaultSender } from "../client.ts";
import {
  authBlockSchema,
  parseResponse,
  requireData,
  type TokenLookup,
  tokenLookupSchema,
  type VaultSecretResponse,
} from "../responses.ts";
import { grantFromAuth, type TokenGrant } from "../token-grant.ts";

export interface TokenCallOptions {
  /** Required when the sender is a VaultHttp; a VaultClient supplies its own. */
  token?: string | undefined;
  /** The namespace the token lives in. */
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

export async function lookupSelf(sender: VaultSender, options: TokenCallOptions = {}): Promise<TokenLookup> {
  const res = await sender.send<VaultSecretResponse | undefined>({
    method: "GET",
    path: "auth/token/lookup-self",
    token: options.token,
    namespace: options.namespace,
    signal: options.signal,
  });
  return parseResponse(tokenLookupSchema, requireData(res.body, "lookup-self"), "lookup-self");
}

/**
 * Extends the token's TTL. Vault may grant less than `incrementSeconds` (max_ttl); the returned
 * grant says what was granted.
 */
export async function renewSelf(
  sender: VaultSender,
  options: TokenCallOptions & { incrementSeconds?: number | undefined } = {},
): Promise<TokenGrant> {
  const res = await sender.send<VaultSecretResponse | undefined>({
    method: "POST",
    path: "auth/token/renew-self",
    body: options.incrementSeconds === undefined ? {} : { increment: `${options.incrementSeconds}s` },
    token: options.token,
    namespace: options.namespace,
    idempotent: true,
    signal: options.signal,
  });
  return grantFromAuth(parseResponse(authBlockSchema, res.body?.auth, "renew-self"));
}

export async function revokeSelf(sender: VaultSender, options: TokenCallOptions = {}): Promise<void> {
  await sender.send({
    method: "POST",
    path: "auth/token/revoke-self",
    body: {},
    token: options.token,
    namespace: options.namespace,
    idempotent: true,
    signal: options.signal,
  });
}

export interface LeaseCallOptions {
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface RenewedLease {
  leaseId: string;
  /** Seconds granted; may be less than asked for when the lease nears its max TTL. */
  leaseDurationSeconds: number;
  renewable: boolean;
}

export async function renewLease(
  sender: VaultSender,
  leaseId: string,
  options: LeaseCallOptions & { incrementSeconds?: number | undefined } = {},
): Promise<RenewedLease> {
  const res = await sender.send<VaultSecretResponse | undefined>({
    method: "PUT",
    path: "sys/leases/renew",
    body: {
      lease_id: leaseId,
      ...(options.incrementSeconds === undefined ? {} : { increment: options.incrementSeconds }),
    },
    namespace: options.namespace,
    idempotent: true,
    signal: options.signal,
  });
  return {
    leaseId: res.body?.lease_id ?? leaseId,
    leaseDurationSeconds: res.body?.lease_duration ?? 0,
    renewable: res.body?.renewable ?? false,
  };
}

export async function revokeLease(
  sender: VaultSender,
  leaseId: string,
  options: LeaseCallOptions = {},
): Promise<void> {
  await sender.send({
    method: "PUT",
    path: "sys/leases/revoke",
    body: { lease_id: leaseId },
    namespace: options.namespace,
    idempotent: true,
    signal: options.signal,
  });
}

/** Vault's answer when renewing a lease that expired or was revoked: the caller must fetch anew. */
export function isLeaseNotFound(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "errors" in error &&
    Array.isArray((error as { errors: unknown }).errors) &&
    (error as { errors: unknown[] }).errors.some(
      (e) => typeof e === "string" && /lease not found|invalid lease/i.test(e),
    )
  );
}
