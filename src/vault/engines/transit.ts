// Transit encrypt and decrypt: what lets Keyport keep its Vault tokens in a Kubernetes Secret
// without the Secret being enough to use them. Plaintext travels base64 as Transit requires and
// never appears in an error: Vault's own messages do not echo it, and ours name only the path.
import type { VaultSender } from "../client.ts";
import { VaultError } from "../errors.ts";
import { requireData, type VaultSecretResponse } from "../responses.ts";
import { kvPath as joinPath } from "./kv.ts";

export interface TransitKeyLocation {
  /** Mount path of the transit engine, e.g. `transit`. */
  mount: string;
  /** Name of the transit key. */
  key: string;
  /** Key-derivation context, for keys created with `derived: true`. */
  context?: Uint8Array | undefined;
  namespace?: string | undefined;
  signal?: AbortSignal | undefined;
}

const ciphertextPattern = /^vault:v[0-9]+:[A-Za-z0-9+/=]+$/;

/** Whether `value` has Transit's ciphertext shape, `vault:v<version>:<base64>`. */
export function isTransitCiphertext(value: string): boolean {
  return ciphertextPattern.test(value);
}

/** `POST <mount>/encrypt/<key>`: the ciphertext, `vault:v<version>:…`. */
export async function transitEncrypt(
  sender: VaultSender,
  where: TransitKeyLocation & { plaintext: Uint8Array },
): Promise<string> {
  const path = joinPath(where.mount, "encrypt", where.key);
  const data = await post<{ ciphertext?: unknown }>(sender, path, where, {
    plaintext: Buffer.from(where.plaintext).toString("base64"),
  });
  if (typeof data.ciphertext !== "string" || !isTransitCiphertext(data.ciphertext)) {
    throw unexpected(path, "no ciphertext");
  }
  return data.ciphertext;
}

/** `POST <mount>/decrypt/<key>`: the plaintext bytes. A tampered ciphertext is InvalidRequest. */
export async function transitDecrypt(
  sender: VaultSender,
  where: TransitKeyLocation & { ciphertext: string },
): Promise<Uint8Array> {
  const path = joinPath(where.mount, "decrypt", where.key);
  const data = await post<{ plaintext?: unknown }>(sender, path, where, { ciphertext: where.ciphertext });
  // Vault answers an empty plaintext with "" (or, in some versions, no field at all).
  const plaintext = data.plaintext ?? "";
  if (typeof plaintext !== "string") throw unexpected(path, "no plaintext");
  return new Uint8Array(Buffer.from(plaintext, "base64"));
}

async function post<T>(
  sender: VaultSender,
  path: string,
  where: TransitKeyLocation,
  body: Record<string, string>,
): Promise<T> {
  const res = await sender.send<VaultSecretResponse<T> | undefined>({
    method: "POST",
    path,
    body:
      where.context === undefined
        ? body
        : { ...body, context: Buffer.from(where.context).toString("base64") },
    namespace: where.namespace,
    // Neither call changes state in Vault, so a lost response may be asked again.
    idempotent: true,
    signal: where.signal,
  });
  return requireData(res.body, `POST ${path}`);
}

function unexpected(path: string, detail: string): VaultError {
  return new VaultError({
    reason: "UnexpectedResponse",
    method: "POST",
    path,
    message: `POST ${path}: unexpected response (${detail})`,
  });
}
