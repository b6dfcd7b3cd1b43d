// SecretTransformation: templates and key filters that several secrets reference by name.
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { healthReadyColumns } from "./printer-columns.ts";
import { conditionsSchema, stringList, templateSchema } from "./shared.ts";

export const sourceTemplateSchema = z.object({
  name: z.string().optional().describe("Template name, for {{template}} calls."),
  text: z.string().describe("Go text/template source, typically {{define}} blocks."),
});

export const secretTransformationSpecSchema = z
  .object({
    templates: z
      .record(z.string(), templateSchema)
      .optional()
      .describe("Templates keyed by the destination data key they render."),
    sourceTemplates: z
      .array(sourceTemplateSchema)
      .optional()
      .describe("Templates never rendered to a key; they define blocks the other templates use."),
    includes: stringList()
      .optional()
      .describe("Regular expressions merged into the referrer's includes unless it ignores them."),
    excludes: stringList()
      .optional()
      .describe("Regular expressions merged into the referrer's excludes unless it ignores them."),
    // Keyport extension
    allowedNamespaces: stringList()
      .optional()
      .describe(
        'Keyport extension: namespaces whose resources may reference this SecretTransformation; "*" allows all. Unset: any namespace, as in VSO.',
      ),
  })
  .describe("Templates and filters to share.");

export const secretTransformationStatusSchema = z
  .object({
    valid: z.boolean().describe("Whether every template parsed."),
    error: z.string().describe("Why a template did not parse."),
    conditions: conditionsSchema.optional(),
  })
  .describe("Observed state of the SecretTransformation.");

export const secretTransformationKind = defineKind({
  kind: "SecretTransformation",
  plural: "secrettransformations",
  singular: "secrettransformation",
  description: "SecretTransformation holds templates and key filters that secrets reference by name.",
  spec: secretTransformationSpecSchema,
  status: secretTransformationStatusSchema,
  printerColumns: healthReadyColumns,
});

export type SecretTransformationSpec = z.output<typeof secretTransformationSpecSchema>;
export type SecretTransformationSpecInput = z.input<typeof secretTransformationSpecSchema>;
export type SecretTransformationStatus = z.output<typeof secretTransformationStatusSchema>;
export type SourceTemplate = z.output<typeof sourceTemplateSchema>;
export type SecretTransformation = Resource<
  "SecretTransformation",
  SecretTransformationSpec,
  SecretTransformationStatus
>;

export const parseSecretTransformation = secretTransformationKind.parse;
