// VaultStaticSecret: copy a KV secret (v1 or v2) into a Kubernetes Secret and keep it in sync.
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { syncedHealthReadyColumns } from "./printer-columns.ts";
import { int64 } from "./schema-annotations.ts";
import {
  conditionsSchema,
  destinationSchema,
  duration,
  rolloutRestartTargetsSchema,
  vaultClientMetaSchema,
} from "./shared.ts";

export const kvTypes = ["kv-v1", "kv-v2"] as const;
export type KvType = (typeof kvTypes)[number];

export const vaultStaticSecretSpecSchema = z
  .object({
    vaultAuthRef: z
      .string()
      .optional()
      .describe("VaultAuth as name or namespace/name; defaults to default in the operator namespace."),
    namespace: z.string().optional().describe("Vault namespace of the mount; defaults to the VaultAuth's."),
    mount: z.string().describe("Mount path of the KV secrets engine."),
    path: z.string().describe("Path of the secret within the mount."),
    version: z.int().min(0).optional().describe("kv-v2 version to read; 0 or unset reads the latest."),
    type: z.enum(kvTypes).describe("KV secrets engine version."),
    refreshAfter: duration().optional().describe("How often to read the secret again, e.g. 60s."),
    hmacSecretData: z
      .boolean()
      .default(true)
      .describe("Detect changes and drift by an HMAC of the data, kept in status.secretMAC."),
    rolloutRestartTargets: rolloutRestartTargetsSchema.optional(),
    destination: destinationSchema.describe("The Kubernetes Secret to write."),
    syncConfig: z
      .object({
        instantUpdates: z
          .boolean()
          .optional()
          .describe("Sync when Vault emits an event for the secret (Vault Enterprise event notifications)."),
      })
      .optional()
      .describe("How changes in Vault are noticed."),
  })
  .describe("Which KV secret to sync, and where to.");

export const vaultStaticSecretStatusSchema = z
  .object({
    lastGeneration: int64().describe("metadata.generation last synced."),
    secretMAC: z.string().optional().describe("HMAC of the last synced data (base64)."),
    vaultClientMeta: vaultClientMetaSchema.optional().describe("The Vault client used for the last sync."),
    conditions: conditionsSchema.optional(),
  })
  .describe("Observed state of the VaultStaticSecret.");

export const vaultStaticSecretKind = defineKind({
  kind: "VaultStaticSecret",
  plural: "vaultstaticsecrets",
  singular: "vaultstaticsecret",
  description: "VaultStaticSecret syncs a secret from Vault's KV secrets engine into a Kubernetes Secret.",
  spec: vaultStaticSecretSpecSchema,
  status: vaultStaticSecretStatusSchema,
  printerColumns: syncedHealthReadyColumns,
});

export type VaultStaticSecretSpec = z.output<typeof vaultStaticSecretSpecSchema>;
export type VaultStaticSecretSpecInput = z.input<typeof vaultStaticSecretSpecSchema>;
export type VaultStaticSecretStatus = z.output<typeof vaultStaticSecretStatusSchema>;
export type VaultStaticSecret = Resource<"VaultStaticSecret", VaultStaticSecretSpec, VaultStaticSecretStatus>;

export const parseVaultStaticSecret = vaultStaticSecretKind.parse;
