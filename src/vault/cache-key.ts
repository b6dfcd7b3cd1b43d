// The identity of a Vault client, as VSO computes it, so `status.vaultClientMeta.cacheKey` means the
// same thing under Keyport as under VSO: `<method>-<hash>` where the hash covers the VaultAuth UID
// and generation, the VaultConnection UID and generation, and the credential provider's UID (the
// service account, Secret, …). A spec change bumps a generation and so gives a new identity; a
// different consumer namespace has a different service account and so a different token.
// A client for another Vault namespace shares its parent's token: `<parent>-<namespace>`.
import { createHash } from "node:crypto";

export interface ClientIdentity {
  /** VaultAuth method as written in the spec (kubernetes, jwt, appRole, …); lower-cased in the key. */
  authMethod: string;
  authUID: string;
  authGeneration: number;
  connectionUID: string;
  connectionGeneration: number;
  /**
   * UID of whatever supplies the credentials: the service account for kubernetes/jwt, the Secret
   * for appRole/jwt secretRef, a random UUID for appRole secretIDPath.
   */
  providerUID: string;
  /** Vault namespace the client's requests go to when it differs from the login's. */
  vaultNamespace?: string | undefined;
}

const maxKeyLength = 63;
// Kubernetes UIDs are RFC 4122 strings.
const uidLength = 36;

/** 22 hex characters: bytes 0–6 and 28–31 of the SHA-256, as VSO's HashString. */
export function shortHash(input: string): string {
  const digest = createHash("sha256").update(input).digest();
  return Buffer.concat([digest.subarray(0, 7), digest.subarray(28, 32)]).toString("hex");
}

/** The key of the token: one login per distinct value. Ignores vaultNamespace. */
export function parentCacheKey(identity: ClientIdentity): string {
  const method = identity.authMethod.toLowerCase();
  if (method === "" || method.includes("-"))
    throw new TypeError(`invalid auth method ${JSON.stringify(method)}`);
  for (const [what, uid] of [
    ["VaultAuth", identity.authUID],
    ["VaultConnection", identity.connectionUID],
  ] as const) {
    if (uid.length !== uidLength) throw new TypeError(`${what} UID must be ${uidLength} characters`);
  }
  if (identity.authUID === identity.connectionUID)
    throw new TypeError("VaultAuth and VaultConnection UIDs must differ");
  if (identity.providerUID === "") throw new TypeError("the credential provider UID is empty");
  const key = `${method}-${shortHash(
    `${identity.authUID}-${identity.authGeneration}.${identity.connectionUID}-${identity.connectionGeneration}.${identity.providerUID}`,
  )}`;
  if (key.length > maxKeyLength) throw new TypeError(`cache key longer than ${maxKeyLength} characters`);
  return key;
}

/** The key of the same token used against another Vault namespace. */
export function cloneCacheKey(parentKey: string, vaultNamespace: string): string {
  if (vaultNamespace === "") throw new TypeError("namespace cannot be empty");
  if (isCloneKey(parentKey)) throw new TypeError("parent key cannot be a clone");
  return `${parentKey}-${vaultNamespace}`;
}

/** What goes into status.vaultClientMeta.cacheKey: the clone key when a namespace is set. */
export function clientCacheKey(identity: ClientIdentity): string {
  const parent = parentCacheKey(identity);
  const namespace = identity.vaultNamespace;
  return namespace === undefined || namespace === "" ? parent : cloneCacheKey(parent, namespace);
}

const keyPattern = /^([^-]+)-([0-9a-f]{22})(?:-(.*))?$/;

export function isCloneKey(key: string): boolean {
  const suffix = keyPattern.exec(key)?.[3];
  return suffix !== undefined && suffix !== "";
}

/** The parent of a clone key (a parent key is its own parent); undefined if not a cache key. */
export function parentKeyOf(key: string): string | undefined {
  const match = keyPattern.exec(key);
  return match === null ? undefined : `${match[1]}-${match[2]}`;
}
