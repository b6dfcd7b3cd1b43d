// VaultDynamicSecret: request leased (or static-role) credentials from Vault, renew or rotate them,
// and keep them in a Kubernetes Secret.
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { syncedHealthReadyColumns } from "./printer-columns.ts";
import { int64 } from "./schema-annotations.ts";
import {
  conditionsSchema,
  destinationSchema,
  duration,
  rolloutRestartTargetSchema,
  rolloutRestartTargetsSchema,
  stringMap,
  vaultClientMetaSchema,
} from "./shared.ts";

export const requestHttpMethods = ["GET", "POST", "PUT"] as const;
export type RequestHttpMethod = (typeof requestHttpMethods)[number];

/** VSO's runtime default when requestHTTPMethod is unset and there are no params (the CRD has none). */
export const defaultRequestHttpMethod: RequestHttpMethod = "GET";

export const defaultRenewalPercent = 67;

export const vaultDynamicSecretSpecSchema = z
  .object({
    vaultAuthRef: z
      .string()
      .optional()
      .describe("VaultAuth as name or namespace/name; defaults to default in the operator namespace."),
    namespace: z.string().optional().describe("Vault namespace of the mount; defaults to the VaultAuth's."),
    mount: z.string().describe("Mount path of the secrets engine."),
    path: z.string().describe("Path relative to the mount, e.g. creds/app or static-creds/app."),
    requestHTTPMethod: z
      .enum(requestHttpMethods)
      .optional()
      .describe("HTTP method of the request; GET when unset. With params, PUT is always used."),
    params: stringMap().optional().describe("Parameters sent in the request body."),
    renewalPercent: z
      .int()
      .min(0)
      .max(90)
      .default(defaultRenewalPercent)
      .describe("Renew the lease after this percentage of its duration has passed (plus jitter)."),
    revoke: z.boolean().optional().describe("Revoke the lease when this object is deleted."),
    allowStaticCreds: z
      .boolean()
      .optional()
      .describe("The path returns static-role credentials: sync on rotation instead of renewing a lease."),
    rolloutRestartTargets: rolloutRestartTargetsSchema.optional(),
    destination: destinationSchema.describe("The Kubernetes Secret to write."),
    refreshAfter: duration()
      .optional()
      .describe("How often to request new credentials when the response has no lease."),
  })
  .describe("Which credentials to request, and where to keep them.");

export const secretLeaseSchema = z
  .object({
    id: z.string().describe("Vault lease ID."),
    duration: z.int().describe("Lease duration in seconds."),
    renewable: z.boolean().describe("Whether Vault allows renewing the lease."),
    requestID: z.string().describe("ID of the Vault request that produced the lease."),
  })
  .describe("The current Vault lease.");

export const staticCredsMetaDataSchema = z
  .object({
    lastVaultRotation: int64().describe("Unix time of the last rotation in Vault."),
    rotationPeriod: int64().describe("Rotation period in seconds."),
    rotationSchedule: z.string().optional().describe("Rotation schedule (cron) of the static role."),
    ttl: int64().describe("Seconds until the next rotation."),
  })
  .describe("Rotation data of static-role credentials.");

// Keyport extension
export const supersededLeaseSchema = z
  .object({
    id: z.string().describe("Vault lease ID of the replaced credentials."),
    expiresAt: z
      .string()
      .meta({ format: "date-time" })
      .describe("When the lease ends by itself, never renewed again (RFC 3339); the entry goes then."),
    targets: z
      .array(rolloutRestartTargetSchema)
      .optional()
      .describe("Workloads restarted onto the new credentials; the lease is revoked once all rolled out."),
    mac: z
      .string()
      .describe("HMAC binding the entry to this resource; an entry that fails it is dropped, never revoked."),
  })
  .describe("A lease replaced by new credentials, waiting to be revoked.");

export const vaultDynamicSecretStatusSchema = z
  .object({
    lastRenewalTime: int64().describe("Unix time of the last lease renewal or request."),
    lastGeneration: int64().describe("metadata.generation last synced."),
    secretLease: secretLeaseSchema,
    staticCredsMetaData: staticCredsMetaDataSchema.optional(),
    lastRuntimePodUID: z.string().optional().describe("UID of the operator pod that last synced."),
    secretMAC: z.string().optional().describe("HMAC of the last synced data (static credentials only)."),
    vaultClientMeta: vaultClientMetaSchema.optional().describe("The Vault client used for the last sync."),
    conditions: conditionsSchema.optional(),
    // Keyport extension
    supersededLeases: z
      .array(supersededLeaseSchema)
      .optional()
      .describe(
        "Keyport extension: with revoke, leases replaced by new credentials that wait for the rollout restart they caused before they are revoked.",
      ),
    // Keyport extension
    transformationDigest: z
      .string()
      .optional()
      .describe(
        "Keyport extension: digest of the referenced SecretTransformations the Secret was last rendered with; an edit to one re-renders the Secret.",
      ),
  })
  .describe("Observed state of the VaultDynamicSecret.");

export const vaultDynamicSecretKind = defineKind({
  kind: "VaultDynamicSecret",
  plural: "vaultdynamicsecrets",
  singular: "vaultdynamicsecret",
  description:
    "VaultDynamicSecret syncs leased or static-role credentials from Vault into a Kubernetes Secret.",
  spec: vaultDynamicSecretSpecSchema,
  status: vaultDynamicSecretStatusSchema,
  printerColumns: syncedHealthReadyColumns,
});

export type VaultDynamicSecretSpec = z.output<typeof vaultDynamicSecretSpecSchema>;
export type VaultDynamicSecretSpecInput = z.input<typeof vaultDynamicSecretSpecSchema>;
export type VaultDynamicSecretStatus = z.output<typeof vaultDynamicSecretStatusSchema>;
export type SecretLease = z.output<typeof secretLeaseSchema>;
export type StaticCredsMetaData = z.output<typeof staticCredsMetaDataSchema>;
export type VaultDynamicSecret = Resource<
  "VaultDynamicSecret",
  VaultDynamicSecretSpec,
  VaultDynamicSecretStatus
>;

export const parseVaultDynamicSecret = vaultDynamicSecretKind.parse;
