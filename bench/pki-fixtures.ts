// VaultPKISecret manifests shared by the steady-state and certificate benchmarks.
import { apiVersion } from "./lib/context.ts";

export type KeyAlgorithm = "RSA" | "ECDSA";
export type PkiMode = "issue" | "sign";

export function pkiSecret(
  namespace: string,
  name: string,
  options: { mode: PkiMode; algorithm: KeyAlgorithm; ttl: string },
) {
  // Issue mode: Vault makes the key, so the role decides its type. Sign mode: Keyport makes the
  // key and sends a CSR; role any-key accepts both types.
  const role =
    options.mode === "sign" ? "any-key" : options.algorithm === "RSA" ? "example-dot-com" : "bench-ec";
  return {
    apiVersion,
    kind: "VaultPKISecret",
    metadata: { name, namespace },
    spec: {
      mount: "pki_int",
      role,
      commonName: `${name}.${namespace}.example.com`,
      ttl: options.ttl,
      destination: { name, create: true, type: "kubernetes.io/tls" },
      ...(options.mode === "sign"
        ? { privateKey: { algorithm: options.algorithm, size: options.algorithm === "RSA" ? 2048 : 256 } }
        : {}),
    },
  };
}
