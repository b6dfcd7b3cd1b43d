// VaultAuth: how to log in to Vault (method, mount, credentials) and who may use that login.
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { healthReadyColumns } from "./printer-columns.ts";
import { type CelRule, withCelRules } from "./schema-annotations.ts";
import { conditionsSchema, stringList, stringMap } from "./shared.ts";
import {
  type AuthMethod,
  appRoleAuthFields,
  appRoleRules,
  authMethodSchema,
  awsAuthFields,
  gcpAuthFields,
  jwtAuthFields,
  kubernetesAuthFields,
  tokenAuthFields,
} from "./vault-auth-methods.ts";

export const mergeStrategies = ["union", "replace", "none"] as const;
export type MergeStrategy = (typeof mergeStrategies)[number];

/** What VSO does when mergeStrategy is unset (the CRD has no default; the merge code treats it so). */
export const defaultMergeStrategy: MergeStrategy = "none";

export const vaultAuthGlobalRefSchema = z
  .object({
    name: z
      .string()
      .regex(/^([a-z0-9.-]{1,253})$/, { message: "must be a Kubernetes object name" })
      .optional()
      .describe("Name of the VaultAuthGlobal."),
    namespace: z
      .string()
      .regex(/^([a-z0-9-]{1,63})$/, { message: "must be a Kubernetes namespace name" })
      .optional()
      .describe("Namespace of the VaultAuthGlobal; defaults to the VaultAuth's namespace."),
    mergeStrategy: z
      .object({
        headers: z
          .enum(mergeStrategies)
          .optional()
          .describe(
            "union: merge all; replace: first non-empty set wins; none (default): this VaultAuth's only.",
          ),
        params: z
          .enum(mergeStrategies)
          .optional()
          .describe(
            "union: merge all; replace: first non-empty set wins; none (default): this VaultAuth's only.",
          ),
      })
      .optional()
      .describe("How headers and params combine with the VaultAuthGlobal's."),
    allowDefault: z
      .boolean()
      .optional()
      .describe("Without a name, use the VaultAuthGlobal named default (this, then the operator namespace)."),
  })
  .describe("VaultAuthGlobal that supplies defaults for this VaultAuth.");

export const storageEncryptionSchema = z
  .object({
    mount: z.string().describe("Transit secrets engine mount."),
    keyName: z.string().describe("Transit key that encrypts the operator's client cache."),
  })
  .describe("Transit key used to encrypt persisted Vault tokens (operator namespace only).");

const vaultAuthSpecFields = z.object({
  vaultConnectionRef: z
    .string()
    .optional()
    .describe("VaultConnection as name or namespace/name; defaults to default in the operator namespace."),
  vaultAuthGlobalRef: vaultAuthGlobalRefSchema.optional(),
  namespace: z.string().optional().describe("Vault namespace to log in to; also the default for reads."),
  allowedNamespaces: stringList()
    .optional()
    .describe('Kubernetes namespaces whose resources may use this VaultAuth; "*" allows all.'),
  method: authMethodSchema.optional().describe("Auth method to log in with."),
  mount: z.string().optional().describe("Mount path of the auth method."),
  params: stringMap().optional().describe("Parameters for the login request."),
  headers: stringMap().optional().describe("HTTP headers added to the login request."),
  kubernetes: kubernetesAuthFields.optional().describe("Settings for method kubernetes."),
  appRole: withCelRules(appRoleAuthFields, appRoleRules).optional().describe("Settings for method appRole."),
  jwt: jwtAuthFields.optional().describe("Settings for method jwt."),
  aws: awsAuthFields.optional().describe("Settings for method aws."),
  gcp: gcpAuthFields.optional().describe("Settings for method gcp."),
  // Keyport extension
  token: tokenAuthFields.optional().describe("Keyport extension: settings for method token."),
  storageEncryption: storageEncryptionSchema.optional(),
});

type VaultAuthSpecFields = z.output<typeof vaultAuthSpecFields>;

/**
 * Without a vaultAuthGlobalRef nothing else can supply the method's block, and VSO fails every login
 * ("<method> auth method not configured"). With a ref, the global may supply it, so the rule stays out.
 */
function methodNeedsItsBlock(method: AuthMethod): CelRule<VaultAuthSpecFields> {
  return {
    rule: `!has(self.method) || self.method != '${method}' || has(self.${method}) || has(self.vaultAuthGlobalRef)`,
    message: `method ${method} needs spec.${method} (or a vaultAuthGlobalRef that provides it)`,
    holds: (self) =>
      self.method !== method || self[method] !== undefined || self.vaultAuthGlobalRef !== undefined,
  };
}

export const vaultAuthSpecSchema = withCelRules(
  vaultAuthSpecFields,
  authMethodSchema.options.map(methodNeedsItsBlock),
).describe("How to log in to Vault.");

export const vaultAuthStatusSchema = z
  .object({
    valid: z.boolean().optional().describe("Whether the configuration was valid at the last check."),
    error: z.string().optional().describe("Why the configuration is not valid."),
    specHash: z.string().optional().describe("Hash of the spec last reconciled."),
    conditions: conditionsSchema.optional(),
  })
  .describe("Observed state of the VaultAuth.");

export const vaultAuthKind = defineKind({
  kind: "VaultAuth",
  plural: "vaultauths",
  singular: "vaultauth",
  description: "VaultAuth describes how to log in to Vault and which namespaces may use that login.",
  spec: vaultAuthSpecSchema,
  status: vaultAuthStatusSchema,
  printerColumns: healthReadyColumns,
});

export type VaultAuthSpec = z.output<typeof vaultAuthSpecSchema>;
export type VaultAuthSpecInput = z.input<typeof vaultAuthSpecSchema>;
export type VaultAuthStatus = z.output<typeof vaultAuthStatusSchema>;
export type VaultAuth = Resource<"VaultAuth", VaultAuthSpec, VaultAuthStatus>;
export type VaultAuthGlobalRef = z.output<typeof vaultAuthGlobalRefSchema>;
export type KubernetesAuth = z.output<typeof kubernetesAuthFields>;
export type AppRoleAuth = z.output<typeof appRoleAuthFields>;
export type JwtAuth = z.output<typeof jwtAuthFields>;
export type AwsAuth = z.output<typeof awsAuthFields>;
export type GcpAuth = z.output<typeof gcpAuthFields>;
export type TokenAuth = z.output<typeof tokenAuthFields>;
export type StorageEncryption = z.output<typeof storageEncryptionSchema>;

export const parseVaultAuth = vaultAuthKind.parse;
