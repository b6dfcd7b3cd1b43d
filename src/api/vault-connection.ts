// VaultConnection: where Vault is and how to reach it (address, TLS, headers, timeout).
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { healthReadyColumns } from "./printer-columns.ts";
import { isSet, requiredInCrd, withCelRules } from "./schema-annotations.ts";
import { conditionsSchema, duration, stringList, stringMap } from "./shared.ts";

/** VSO refuses this header on a connection: the Vault namespace comes from VaultAuth and the secrets. */
export const vaultNamespaceHeader = "X-Vault-Namespace";

const vaultConnectionSpecFields = z.object({
  address: z.string().describe("Address of the Vault server, e.g. https://vault.vault.svc:8200."),
  headers: stringMap()
    .optional()
    .describe("HTTP headers added to every request to Vault. X-Vault-Namespace is not allowed."),
  tlsServerName: z.string().optional().describe("Server name (SNI) used to verify Vault's certificate."),
  caCertSecretRef: z
    .string()
    .optional()
    .describe(
      "Secret in this namespace whose key ca.crt holds the PEM CA bundle that signs Vault's certificate.",
    ),
  caCertPath: z
    .string()
    .optional()
    .describe("Path of a PEM CA bundle inside the operator's container. Must not contain '..'."),
  skipTLSVerify: requiredInCrd(
    z.boolean().default(false).describe("Do not verify Vault's certificate. For testing only."),
  ),
  timeout: duration().optional().describe("Timeout of each request to Vault, e.g. 30s; 60s when unset."),
  // Keyport extension
  clientCertSecretRef: z
    .string()
    .optional()
    .describe(
      "Keyport extension: kubernetes.io/tls Secret in this namespace (tls.crt, tls.key) presented to Vault as the client certificate (mTLS).",
    ),
  // Keyport extension
  caCertConfigMapRef: z
    .string()
    .optional()
    .describe("Keyport extension: ConfigMap in this namespace whose key ca.crt holds the PEM CA bundle."),
  // Keyport extension
  allowedNamespaces: stringList()
    .optional()
    .describe(
      'Keyport extension: namespaces whose VaultAuths may use this connection (and its client certificate); "*" allows all. Unset: any namespace, as in VSO.',
    ),
});

type VaultConnectionSpecFields = z.output<typeof vaultConnectionSpecFields>;

export const vaultConnectionSpecSchema = withCelRules(vaultConnectionSpecFields, [
  {
    rule:
      "(has(self.caCertSecretRef) && self.caCertSecretRef != '' ? 1 : 0) + " +
      "(has(self.caCertPath) && self.caCertPath != '' ? 1 : 0) + " +
      "(has(self.caCertConfigMapRef) && self.caCertConfigMapRef != '' ? 1 : 0) <= 1",
    message: "caCertSecretRef, caCertPath and caCertConfigMapRef are mutually exclusive: set at most one",
    holds: (self: VaultConnectionSpecFields) =>
      [self.caCertSecretRef, self.caCertPath, self.caCertConfigMapRef].filter(isSet).length <= 1,
  },
  {
    rule: "!has(self.caCertPath) || !self.caCertPath.contains('..')",
    message: "caCertPath must not contain '..'",
    holds: (self) => !(self.caCertPath ?? "").includes(".."),
  },
  {
    rule: "!has(self.headers) || self.headers.all(name, name.lowerAscii() != 'x-vault-namespace')",
    message:
      "headers must not set X-Vault-Namespace: set the Vault namespace with spec.namespace on the VaultAuth or on the secret",
    holds: (self) =>
      Object.keys(self.headers ?? {}).every(
        (name) => name.toLowerCase() !== vaultNamespaceHeader.toLowerCase(),
      ),
  },
]).describe("How to reach Vault.");

export const vaultConnectionStatusSchema = z
  .object({
    valid: z.boolean().describe("Whether the connection was usable the last time it was checked."),
    conditions: conditionsSchema.optional(),
  })
  .describe("Observed state of the VaultConnection.");

export const vaultConnectionKind = defineKind({
  kind: "VaultConnection",
  plural: "vaultconnections",
  singular: "vaultconnection",
  description:
    "VaultConnection describes a Vault server: its address, how to trust it, and request settings.",
  spec: vaultConnectionSpecSchema,
  status: vaultConnectionStatusSchema,
  printerColumns: healthReadyColumns,
});

/** The spec with defaults applied (what controllers read). */
export type VaultConnectionSpec = z.output<typeof vaultConnectionSpecSchema>;
/** The spec as a user may write it (defaulted fields optional). */
export type VaultConnectionSpecInput = z.input<typeof vaultConnectionSpecSchema>;
export type VaultConnectionStatus = z.output<typeof vaultConnectionStatusSchema>;
export type VaultConnection = Resource<"VaultConnection", VaultConnectionSpec, VaultConnectionStatus>;

export const parseVaultConnection = vaultConnectionKind.parse;
