// Types shared by several kinds: destinations, transformations, rollout targets, client metadata,
// conditions and the duration patterns. Field names, defaults and patterns follow VSO v1.4.1.
import { z } from "zod";
import { int64 } from "./schema-annotations.ts";

/** Go-style duration limited to seconds, minutes and hours, e.g. `30s`, `5m`, `1.5h`. */
export const durationPattern = /^([0-9]+(\.[0-9]+)?(s|m|h))$/;

/** Like durationPattern but also accepts days (`7d`); VaultPKISecret `ttl` passes it to Vault as is. */
export const durationWithDaysPattern = /^([0-9]+(\.[0-9]+)?(s|m|h|d))$/;

export function duration() {
  return z.string().regex(durationPattern, {
    message: 'must be a duration in seconds, minutes or hours, such as "30s", "5m" or "1.5h"',
  });
}

export function durationWithDays() {
  return z.string().regex(durationWithDaysPattern, {
    message: 'must be a duration in seconds, minutes, hours or days, such as "30s", "12h" or "7d"',
  });
}

export function stringMap() {
  return z.record(z.string(), z.string());
}

export function stringList() {
  return z.array(z.string());
}

export const templateSchema = z.object({
  name: z.string().optional().describe("Template name; defaults to <namespace>/<object>/<key>."),
  text: z.string().describe("Go text/template source."),
});

export const templateRefSchema = z.object({
  name: z.string().describe("Key of the template in the SecretTransformation's spec.templates."),
  keyOverride: z
    .string()
    .optional()
    .describe("Destination data key to render into; defaults to the template's name."),
});

export const transformationRefSchema = z.object({
  namespace: z
    .string()
    .optional()
    .describe("Namespace of the SecretTransformation; defaults to the namespace of the referring object."),
  name: z.string().describe("Name of the SecretTransformation."),
  templateRefs: z
    .array(templateRefSchema)
    .optional()
    .describe("Templates to render from the SecretTransformation; all of them when empty."),
  ignoreIncludes: z
    .boolean()
    .optional()
    .describe("Do not merge the SecretTransformation's includes into this transformation."),
  ignoreExcludes: z
    .boolean()
    .optional()
    .describe("Do not merge the SecretTransformation's excludes into this transformation."),
});

export const transformationSchema = z.object({
  templates: z
    .record(z.string(), templateSchema)
    .optional()
    .describe("Templates keyed by destination data key. Rendered keys always win over referenced ones."),
  transformationRefs: z
    .array(transformationRefSchema)
    .optional()
    .describe("SecretTransformation objects whose templates and filters apply here."),
  includes: stringList()
    .optional()
    .describe("Regular expressions; only matching source keys are copied (applied after excludes)."),
  excludes: stringList()
    .optional()
    .describe('Regular expressions; matching source keys are dropped. ".*" drops every raw key.'),
  excludeRaw: z.boolean().optional().describe("Leave the _raw key out of the destination Secret."),
});

export const destinationSchema = z.object({
  name: z.string().describe("Name of the Secret, in the namespace of this object."),
  create: z
    .boolean()
    .default(false)
    .describe("Create and own the Secret. When false the Secret must already exist."),
  overwrite: z
    .boolean()
    .default(false)
    .describe("With create, take over an existing Secret that no operator owns."),
  labels: stringMap().optional().describe("Labels for the Secret; applied only with create."),
  annotations: stringMap()
    .optional()
    .describe("Annotations for the Secret; applied only with create, replacing existing ones."),
  type: z
    .string()
    .optional()
    .describe("Secret type, Opaque when unset; applied only with create. A change recreates the Secret."),
  transformation: transformationSchema.optional().describe("How the source data becomes the Secret's data."),
});

/** The Secret type used when `destination.type` is unset (VSO's runtime default; the CRD has none). */
export const defaultDestinationSecretType = "Opaque";

export const rolloutRestartTargetKinds = ["Deployment", "DaemonSet", "StatefulSet", "argo.Rollout"] as const;

export const rolloutRestartTargetSchema = z.object({
  kind: z.enum(rolloutRestartTargetKinds).describe("Kind of the workload."),
  name: z.string().describe("Name of the workload, in the namespace of this object."),
});

export const rolloutRestartTargetsSchema = z
  .array(rolloutRestartTargetSchema)
  .describe("Workloads restarted (rollout) after the destination Secret changes.");

export const vaultClientMetaSchema = z.object({
  cacheKey: z.string().optional().describe("Key of the Vault client in the operator's client cache."),
  id: z.string().optional().describe("Hash of the Vault token accessor the client used."),
});

/** Condition types Keyport and VSO write; printer columns read the first three. */
export const conditionTypes = {
  secretSynced: "SecretSynced",
  healthy: "Healthy",
  ready: "Ready",
  rolloutRestart: "RolloutRestart",
  leaseRenewal: "LeaseRenewal",
  resourceValidation: "ResourceValidation",
  vaultClient: "VaultClient",
  vaultPing: "VaultPing",
  available: "Available",
} as const;

const conditionTypePattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const conditionReasonPattern = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** metav1.Condition, with the limits the Kubernetes API places on it. */
export const conditionSchema = z.object({
  type: z.string().max(316).regex(conditionTypePattern).describe("Condition type in CamelCase."),
  status: z.enum(["True", "False", "Unknown"]).describe("Status of the condition."),
  observedGeneration: int64().min(0).optional().describe("metadata.generation the condition was set for."),
  lastTransitionTime: z
    .string()
    .meta({ format: "date-time" })
    .describe("When the status last changed (RFC 3339)."),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(conditionReasonPattern)
    .describe("Machine-readable CamelCase reason for the last transition."),
  message: z.string().max(32768).describe("Human-readable details about the last transition."),
});

export const conditionsSchema = z
  .array(conditionSchema)
  .describe("Latest observations of the object's state.");

export type Destination = z.output<typeof destinationSchema>;
export type Transformation = z.output<typeof transformationSchema>;
export type TransformationRef = z.output<typeof transformationRefSchema>;
export type TemplateRef = z.output<typeof templateRefSchema>;
export type Template = z.output<typeof templateSchema>;
export type RolloutRestartTarget = z.output<typeof rolloutRestartTargetSchema>;
export type RolloutRestartTargetKind = (typeof rolloutRestartTargetKinds)[number];
export type VaultClientMeta = z.output<typeof vaultClientMetaSchema>;
export type Condition = z.output<typeof conditionSchema>;
export type ConditionType = (typeof conditionTypes)[keyof typeof conditionTypes];
