// A persisted Vault token, in VSO's shape so that either operator can take over the tokens of the
// other (a migration then mints no credential): an immutable Secret `vso-cc-<cacheKey>` in the
// operator namespace, labelled as VSO labels it, whose `secret` is the token as Vault's api.Secret
// JSON (or that JSON's Transit ciphertext) and whose `messageMAC` is HMAC-SHA256 over
// name + cacheKey + secret with the operator's HMAC key. Pure functions: no I/O here.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { KubeObject } from "../../kube/object.ts";
import type { TokenDescription } from "../../vault/index.ts";
import type { TokenOwner } from "../vault-clients.ts";

export const recordNamePrefix = "vso-cc-";
export const secretField = "secret";
export const macField = "messageMAC";

export const commonLabels = {
  "app.kubernetes.io/name": "vault-secrets-operator",
  "app.kubernetes.io/managed-by": "vso",
  "app.kubernetes.io/component": "client-cache-storage",
} as const;

/** Every record, and nothing else: VSO's purge uses the same selector. */
export const recordSelector = Object.entries(commonLabels)
  .map(([k, v]) => `${k}=${v}`)
  .join(",");

export const recordLabelKeys = {
  cacheKey: "cacheKey",
  encrypted: "encrypted",
  transitRef: "vaultTransitRef",
  authNamespace: "auth/namespace",
  authUid: "auth/UID",
  authGeneration: "auth/generation",
  connectionNamespace: "connection/namespace",
  connectionUid: "connection/UID",
  connectionGeneration: "connection/generation",
  providerUid: "provider/UID",
  providerNamespace: "provider/namespace",
} as const;

export interface RecordSecret extends KubeObject {
  immutable?: boolean;
  type?: string;
  data?: Record<string, string>;
}

export function recordName(cacheKey: string): string {
  return `${recordNamePrefix}${cacheKey}`;
}

export function recordLabels(owner: TokenOwner, transitRef: string | undefined): Record<string, string> {
  const k = recordLabelKeys;
  return {
    [k.cacheKey]: owner.parentKey,
    [k.authNamespace]: owner.authNamespace,
    [k.authUid]: owner.identity.authUID,
    [k.authGeneration]: String(owner.identity.authGeneration),
    [k.connectionNamespace]: owner.connectionNamespace,
    [k.connectionUid]: owner.identity.connectionUID,
    [k.connectionGeneration]: String(owner.identity.connectionGeneration),
    [k.providerUid]: owner.identity.providerUID,
    [k.providerNamespace]: owner.providerNamespace,
    ...commonLabels,
    ...(transitRef === undefined ? {} : { [k.encrypted]: "true", [k.transitRef]: transitRef }),
  };
}

/**
 * The token as Vault's api.Secret JSON, the form VSO stores: VSO restores it, and so do we. Only
 * what a restore needs; the token is looked up in Vault before it is used anyway.
 */
export function tokenPayload(token: string, description: TokenDescription | undefined): Uint8Array {
  const auth = {
    client_token: token,
    accessor: description?.accessor ?? "",
    policies: description?.policies ?? [],
    token_policies: description?.policies ?? [],
    metadata: null,
    lease_duration: description?.ttlSeconds ?? 0,
    renewable: description?.renewable ?? false,
    entity_id: description?.entityId ?? "",
  };
  const secret = {
    request_id: "",
    lease_id: "",
    lease_duration: 0,
    renewable: false,
    data: null,
    warnings: null,
    auth,
  };
  return new TextEncoder().encode(JSON.stringify(secret));
}

/** The token in an api.Secret JSON, or undefined if the bytes are not one. */
export function tokenFromPayload(bytes: Uint8Array): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const auth = (parsed as { auth?: { client_token?: unknown } } | null)?.auth;
  const token = auth?.client_token;
  return typeof token === "string" && token !== "" ? token : undefined;
}

export function recordMac(key: Uint8Array, name: string, cacheKey: string, secret: Uint8Array): Buffer {
  if (name === "" || cacheKey === "") throw new TypeError("a record needs a name and a cache key");
  return createHmac("sha256", key).update(`${name}${cacheKey}`).update(secret).digest();
}

export function buildRecord(options: {
  namespace: string;
  owner: TokenOwner;
  key: Uint8Array;
  /** The payload as stored: JSON bytes, or the Transit ciphertext's bytes. */
  secret: Uint8Array;
  transitRef: string | undefined;
}): RecordSecret {
  const name = recordName(options.owner.parentKey);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: options.namespace,
      labels: recordLabels(options.owner, options.transitRef),
    },
    // Immutable as VSO makes it: a replaced token is a new record, never an edit.
    immutable: true,
    type: "Opaque",
    data: {
      [secretField]: Buffer.from(options.secret).toString("base64"),
      [macField]: recordMac(options.key, name, options.owner.parentKey, options.secret).toString("base64"),
    },
  };
}

export type RecordReading =
  | { kind: "plain"; token: string }
  | { kind: "encrypted"; ciphertext: string; transitRef: string }
  | { kind: "discard"; reason: "tampered" | "malformed" };

/**
 * Checks a record against the identity it must belong to. The MAC binds the payload to the
 * record's name and the cache key computed now, so a record copied under another identity's name,
 * or edited in any byte, is refused before anything in it is used.
 */
export function readRecord(record: RecordSecret, key: Uint8Array, cacheKey: string): RecordReading {
  const name = record.metadata?.name ?? "";
  const secretB64 = record.data?.[secretField];
  const macB64 = record.data?.[macField];
  if (secretB64 === undefined || macB64 === undefined || name !== recordName(cacheKey)) {
    return { kind: "discard", reason: "malformed" };
  }
  const secret = Buffer.from(secretB64, "base64");
  const mac = Buffer.from(macB64, "base64");
  const expected = recordMac(key, name, cacheKey, secret);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    return { kind: "discard", reason: "tampered" };
  }
  const transitRef = record.metadata?.labels?.[recordLabelKeys.transitRef] ?? "";
  if (transitRef !== "") return { kind: "encrypted", ciphertext: secret.toString("utf8"), transitRef };
  const token = tokenFromPayload(secret);
  return token === undefined ? { kind: "discard", reason: "malformed" } : { kind: "plain", token };
}
