// metadata as the API server sends it on the wire (timestamps stay RFC 3339 strings). Only the fields
// controllers read are typed; everything else passes through untouched, so nothing is lost on update.
import { z } from "zod";
import { stringMap } from "./shared.ts";

export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
});

export type ObjectMeta = z.output<typeof objectMetaSchema>;
export type OwnerReference = z.output<typeof ownerReferenceSchema>;

/** `namespace/name`, `name`, or "" — for messages about objects that may not have parsed. */
export function objectKeyOf(input: unknown): string {
  if (typeof input !== "object" || input === null) return "";
  const metadata = (input as { metadata?: unknown }).metadata;
  if (typeof metadata !== "object" || metadata === null) return "";
  const { name, namespace } = metadata as { name?: unknown; namespace?: unknown };
  if (typeof name !== "string") return "";
  return typeof namespace === "string" && namespace !== "" ? `${namespace}/${name}` : name;
}
