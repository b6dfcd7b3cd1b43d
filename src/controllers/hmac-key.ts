// The HMAC key lives where VSO keeps it, under VSO's name and labels: after a switch from VSO,
// every status.secretMAC still verifies and nothing re-syncs. Created once if missing, immutable.
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../kube/client.ts";
import { isAlreadyExists } from "../kube/errors.ts";
import type { KubeObject } from "../kube/object.ts";
import { create, getObject } from "../kube/patch.ts";
import { secrets } from "../kube/resource.ts";
import { hmacKeyDataKey, hmacKeyLength, hmacKeySecretName } from "../sync/hmac.ts";

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

export async function ensureHmacKey(client: KubeClient, namespace: string): Promise<Buffer> {
  const ref = { namespace, name: hmacKeySecretName };
  const existing = await getObject<SecretObject>(client, secrets, ref);
  const found = existing?.data?.[hmacKeyDataKey];
  if (found !== undefined) return Buffer.from(found, "base64");
  try {
    await create<SecretObject>(client, secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: hmacKeySecretName,
        namespace,
        labels: {
          "app.kubernetes.io/name": "vault-secrets-operator",
          "app.kubernetes.io/managed-by": "hashicorp-vso",
          "app.kubernetes.io/component": "client-cache-storage-verification",
        },
      },
      immutable: true,
      data: { [hmacKeyDataKey]: randomBytes(hmacKeyLength).toString("base64") },
    } as SecretObject);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  // Read back: with two replicas starting at once, the one that created it decides the key.
  const stored = (await getObject<SecretObject>(client, secrets, ref))?.data?.[hmacKeyDataKey];
  if (stored === undefined)
    throw new Error(`Secret ${namespace}/${hmacKeySecretName} has no key ${hmacKeyDataKey}`);
  return Buffer.from(stored, "base64");
}
