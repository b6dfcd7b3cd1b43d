// Which Transit key encrypts persisted tokens, by VSO's rule: the one VaultAuth in the operator
// namespace labelled cacheStorageEncryption=true that has spec.storageEncryption. Its own token is
// never persisted: restoring it would need itself to decrypt.
import type { RawResource } from "../context.ts";

export const encryptionLabel = "cacheStorageEncryption";

export interface EncryptionKey {
  /** The VaultAuth whose client encrypts (VSO's record label vaultTransitRef names it). */
  authName: string;
  authUid: string;
  mount: string;
  keyName: string;
}

export type EncryptionChoice =
  | { kind: "none" }
  | { kind: "key"; key: EncryptionKey }
  /** More than one candidate: refusing to pick keeps tokens from landing under a key nobody meant. */
  | { kind: "ambiguous"; names: string[] };

export function chooseEncryptionKey(
  vaultAuths: readonly RawResource[],
  operatorNamespace: string,
): EncryptionChoice {
  const candidates: EncryptionKey[] = [];
  for (const auth of vaultAuths) {
    if (auth.metadata?.namespace !== operatorNamespace) continue;
    if (auth.metadata.labels?.[encryptionLabel] !== "true") continue;
    const storage = (auth.spec as { storageEncryption?: { mount?: unknown; keyName?: unknown } } | undefined)
      ?.storageEncryption;
    if (typeof storage?.mount !== "string" || typeof storage.keyName !== "string") continue;
    if (storage.mount === "" || storage.keyName === "") continue;
    candidates.push({
      authName: auth.metadata.name ?? "",
      authUid: auth.metadata.uid ?? "",
      mount: storage.mount,
      keyName: storage.keyName,
    });
  }
  const [first, ...rest] = candidates;
  if (first === undefined) return { kind: "none" };
  if (rest.length > 0) return { kind: "ambiguous", names: candidates.map((c) => c.authName).sort() };
  return { kind: "key", key: first };
}
