// The per-method login settings shared by VaultAuth and VaultAuthGlobal. VaultAuthGlobal inlines each
// block and adds namespace/mount/params/headers, so the plain field sets live here, rules apart.
import { z } from "zod";
import { type CelRule, int64, isSet } from "./schema-annotations.ts";
import { stringList } from "./shared.ts";

/** VSO's methods, then Keyport's additions. */
export const authMethods = [
  "kubernetes",
  "jwt",
  "appRole",
  "aws",
  "gcp",
  // Keyport extension
  "token",
] as const;

export type AuthMethod = (typeof authMethods)[number];

export const authMethodSchema = z.enum(authMethods);

/** Service-account token lifetime VSO requests by default, which is also the least it accepts. */
export const defaultTokenExpirationSeconds = 600;

function tokenExpirationSeconds() {
  return int64()
    .min(defaultTokenExpirationSeconds)
    .default(defaultTokenExpirationSeconds)
    .describe("Lifetime requested for the service-account token, in seconds (at least 600).");
}

export const kubernetesAuthFields = z.object({
  role: z.string().optional().describe("Vault role to log in with."),
  serviceAccount: z
    .string()
    .optional()
    .describe("Service account, in the namespace of the resource using this auth, whose token is presented."),
  audiences: stringList().optional().describe("Audiences of the service-account token."),
  tokenExpirationSeconds: tokenExpirationSeconds(),
});

export const appRoleAuthFields = z.object({
  roleId: z.string().optional().describe("RoleID of the AppRole."),
  secretRef: z
    .string()
    .optional()
    .describe("Secret, in the namespace of the resource using this auth, whose key id holds the SecretID."),
  secretIDPath: z
    .string()
    .optional()
    .describe("Absolute path of a file in the operator's container holding the SecretID."),
});

export const jwtAuthFields = z.object({
  role: z.string().optional().describe("Vault role to log in with."),
  secretRef: z
    .string()
    .optional()
    .describe("Secret, in the namespace of the resource using this auth, whose key jwt holds the token."),
  serviceAccount: z
    .string()
    .optional()
    .describe("Service account whose token is presented as the JWT; takes precedence over secretRef."),
  audiences: stringList().optional().describe("Audiences of the service-account token."),
  tokenExpirationSeconds: tokenExpirationSeconds(),
});

export const awsAuthFields = z.object({
  role: z.string().optional().describe("Vault role to log in with."),
  region: z.string().optional().describe("AWS region used to sign the STS request."),
  headerValue: z.string().optional().describe("Value of the X-Vault-AWS-IAM-Server-ID header."),
  sessionName: z.string().optional().describe("Session name for assumed-role credentials."),
  stsEndpoint: z.string().optional().describe("STS endpoint to sign requests for."),
  iamEndpoint: z.string().optional().describe("IAM endpoint to use."),
  secretRef: z
    .string()
    .optional()
    .describe("Secret with access_key_id, secret_access_key and optionally session_token."),
  irsaServiceAccount: z
    .string()
    .optional()
    .describe("Service account annotated for IAM Roles for Service Accounts (IRSA)."),
});

export const gcpAuthFields = z.object({
  role: z.string().optional().describe("Vault role to log in with."),
  workloadIdentityServiceAccount: z
    .string()
    .optional()
    .describe("Service account configured for GKE Workload Identity (iam.gke.io/gcp-service-account)."),
  region: z.string().optional().describe("GKE cluster region; read from the metadata server when unset."),
  clusterName: z.string().optional().describe("GKE cluster name; read from the metadata server when unset."),
  projectID: z.string().optional().describe("GCP project; read from the metadata server when unset."),
});

// Keyport extension
export const tokenAuthFields = z.object({
  secretRef: z
    .string()
    .optional()
    .describe(
      "Keyport extension: Secret, in the namespace of the resource using this auth, whose key token holds a Vault token.",
    ),
});

type AppRoleFields = Pick<z.output<typeof appRoleAuthFields>, "secretRef" | "secretIDPath">;

/** VSO checks these when it logs in; a single object can always be checked at admission. */
export const appRoleRules: readonly CelRule<AppRoleFields>[] = [
  {
    rule: "!(has(self.secretRef) && self.secretRef != '' && has(self.secretIDPath) && self.secretIDPath != '')",
    message: "secretRef and secretIDPath are mutually exclusive: set only one",
    holds: (self) => !(isSet(self.secretRef) && isSet(self.secretIDPath)),
  },
  {
    rule:
      "!has(self.secretIDPath) || self.secretIDPath == '' || " +
      "(self.secretIDPath.startsWith('/') && !self.secretIDPath.contains('..'))",
    message: "secretIDPath must be an absolute path without '..'",
    holds: (self) =>
      !isSet(self.secretIDPath) || (self.secretIDPath.startsWith("/") && !self.secretIDPath.includes("..")),
  },
];
