// What a VaultConnection's TLS needs, gathered from where the spec points: a CA from a Secret
// (VSO), a file (VSO) or a ConfigMap (Keyport), and a client certificate for mTLS from a
// kubernetes.io/tls Secret (Keyport). Read fresh on every connection reconcile, so a rotated
// certificate takes effect without restarting the operator.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { VaultConnectionSpec } from "../../api/index.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/object.ts";
import { getObject } from "../../kube/patch.ts";
import { configMaps, secrets } from "../../kube/resource.ts";
import type { VaultTlsOptions } from "../../vault/index.ts";

export class TlsMaterialError extends Error {
  readonly reason = "VaultClientConfigError";
}

interface DataObject extends KubeObject {
  data?: Record<string, string>;
}

export interface TlsMaterial {
  tls: VaultTlsOptions;
  /** Changes whenever any of the material changes; never contains it. */
  fingerprint: string;
}

async function secretKey(client: KubeClient, namespace: string, name: string, key: string): Promise<string> {
  const secret = await getObject<DataObject>(client, secrets, { namespace, name });
  if (secret === undefined) throw new TlsMaterialError(`Secret ${namespace}/${name} not found`);
  const value = secret.data?.[key];
  if (value === undefined) throw new TlsMaterialError(`Secret ${namespace}/${name} has no key ${key}`);
  return Buffer.from(value, "base64").toString("utf8");
}

export async function readTlsMaterial(
  client: KubeClient,
  namespace: string,
  spec: VaultConnectionSpec,
): Promise<TlsMaterial> {
  const tls: VaultTlsOptions = { skipVerify: spec.skipTLSVerify ?? false };
  if (spec.tlsServerName) tls.serverName = spec.tlsServerName;
  if (spec.caCertSecretRef) tls.caCert = await secretKey(client, namespace, spec.caCertSecretRef, "ca.crt");
  if (spec.caCertConfigMapRef) {
    const map = await getObject<DataObject>(client, configMaps, { namespace, name: spec.caCertConfigMapRef });
    const pem = map?.data?.["ca.crt"];
    if (pem === undefined) {
      throw new TlsMaterialError(
        `ConfigMap ${namespace}/${spec.caCertConfigMapRef} not found or has no key ca.crt`,
      );
    }
    tls.caCert = pem;
  }
  if (spec.caCertPath) {
    if (spec.caCertPath.split("/").includes(".."))
      throw new TlsMaterialError("caCertPath must not contain ..");
    try {
      tls.caCert = await readFile(spec.caCertPath, "utf8");
    } catch {
      throw new TlsMaterialError(`caCertPath ${spec.caCertPath} cannot be read`);
    }
  }
  if (spec.clientCertSecretRef) {
    tls.clientCert = await secretKey(client, namespace, spec.clientCertSecretRef, "tls.crt");
    tls.clientKey = await secretKey(client, namespace, spec.clientCertSecretRef, "tls.key");
  }
  const fingerprint = createHash("sha256").update(JSON.stringify(tls)).digest("hex");
  return { tls, fingerprint };
}
