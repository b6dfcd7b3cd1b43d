// VaultAuthGlobal: login defaults that many VaultAuths share (connection, method, mount, per-method
// settings). VSO never writes its status; merge rules live with the controllers, not here.
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { withCelRules } from "./schema-annotations.ts";
import { stringList, stringMap } from "./shared.ts";
import {
  appRoleAuthFields,
  appRoleRules,
  authMethodSchema,
  awsAuthFields,
  gcpAuthFields,
  jwtAuthFields,
  kubernetesAuthFields,
  tokenAuthFields,
} from "./vault-auth-methods.ts";

/** What each per-method block adds to the VaultAuth method settings it inlines. */
const perMethodDefaults = {
  namespace: z.string().optional().describe("Vault namespace for this method."),
  mount: z.string().optional().describe("Mount path of this auth method."),
  params: stringMap().optional().describe("Login parameters for this method."),
  headers: stringMap().optional().describe("Login headers for this method."),
};

const vaultAuthGlobalSpecFields = z.object({
  allowedNamespaces: stringList()
    .optional()
    .describe('Namespaces whose VaultAuths may use this VaultAuthGlobal; "*" allows all.'),
  vaultConnectionRef: z.string().optional().describe("Default VaultConnection, as name or namespace/name."),
  defaultVaultNamespace: z.string().optional().describe("Default Vault namespace."),
  defaultAuthMethod: authMethodSchema.optional().describe("Method used when the VaultAuth sets none."),
  defaultMount: z
    .string()
    .optional()
    .describe("Mount used when neither the VaultAuth nor the method block sets one."),
  params: stringMap().optional().describe("Default login parameters."),
  headers: stringMap().optional().describe("Default login headers."),
  kubernetes: kubernetesAuthFields
    .extend(perMethodDefaults)
    .optional()
    .describe("Defaults for method kubernetes."),
  appRole: withCelRules(appRoleAuthFields.extend(perMethodDefaults), appRoleRules)
    .optional()
    .describe("Defaults for method appRole."),
  jwt: jwtAuthFields.extend(perMethodDefaults).optional().describe("Defaults for method jwt."),
  aws: awsAuthFields.extend(perMethodDefaults).optional().describe("Defaults for method aws."),
  gcp: gcpAuthFields.extend(perMethodDefaults).optional().describe("Defaults for method gcp."),
  // Keyport extension
  token: tokenAuthFields
    .extend(perMethodDefaults)
    .optional()
    .describe("Keyport extension: defaults for method token."),
});

export const vaultAuthGlobalSpecSchema = vaultAuthGlobalSpecFields.describe(
  "Defaults shared by the VaultAuths that reference this object.",
);

export const vaultAuthGlobalStatusSchema = z
  .object({
    valid: z.boolean().describe("Whether the configuration was valid at the last check."),
    error: z.string().describe("Why the configuration is not valid."),
  })
  .describe("Observed state of the VaultAuthGlobal.");

export const vaultAuthGlobalKind = defineKind({
  kind: "VaultAuthGlobal",
  plural: "vaultauthglobals",
  singular: "vaultauthglobal",
  description: "VaultAuthGlobal holds login defaults that VaultAuths reference through vaultAuthGlobalRef.",
  spec: vaultAuthGlobalSpecSchema,
  status: vaultAuthGlobalStatusSchema,
  // VSO shows none: its controller never writes conditions for this kind.
  printerColumns: [],
});

export type VaultAuthGlobalSpec = z.output<typeof vaultAuthGlobalSpecSchema>;
export type VaultAuthGlobalSpecInput = z.input<typeof vaultAuthGlobalSpecSchema>;
export type VaultAuthGlobalStatus = z.output<typeof vaultAuthGlobalStatusSchema>;
export type VaultAuthGlobal = Resource<"VaultAuthGlobal", VaultAuthGlobalSpec, VaultAuthGlobalStatus>;

export const parseVaultAuthGlobal = vaultAuthGlobalKind.parse;
