// A kind: its names, its spec and status schemas, its printer columns, and the parse functions a
// controller uses to turn an API object into a typed value with VSO's defaults applied.
import { z } from "zod";
import { type ObjectMeta, objectKeyOf, objectMetaSchema } from "./object-meta.ts";
import type { PrinterColumn } from "./printer-columns.ts";
import { fieldIssues, type ParseResult, ResourceValidationError } from "./validation-error.ts";

export const group = "secrets.hashicorp.com";
export const version = "v1beta1";
export const apiVersion = `${group}/${version}` as const;

export interface Resource<K extends string, Spec, Status> {
  apiVersion: typeof apiVersion;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export interface KindDefinition<
  K extends string = string,
  SpecSchema extends z.ZodObject = z.ZodObject,
  StatusSchema extends z.ZodObject = z.ZodObject,
> {
  readonly group: typeof group;
  readonly version: typeof version;
  readonly apiVersion: typeof apiVersion;
  readonly kind: K;
  readonly listKind: `${K}List`;
  readonly plural: string;
  readonly singular: string;
  readonly scope: "Namespaced";
  /** Becomes the CRD's top-level description (`kubectl explain <kind>`). */
  readonly description: string;
  readonly specSchema: SpecSchema;
  readonly statusSchema: StatusSchema;
  readonly printerColumns: readonly PrinterColumn[];
  /** Every kind has the status subresource, so status is written only through /status. */
  readonly statusSubresource: true;
  /**
   * Validates a whole object (as read from the API server) and applies the schema defaults, exactly
   * those the API server applies, plus the CEL rules. A missing spec is read as `{}`, as VSO's Go
   * types do.
   */
  parse(input: unknown): ParseResult<Resource<K, z.output<SpecSchema>, z.output<StatusSchema>>>;
  parseSpec(input: unknown): ParseResult<z.output<SpecSchema>>;
  parseStatus(input: unknown): ParseResult<z.output<StatusSchema>>;
}

export interface KindOptions<
  K extends string,
  SpecSchema extends z.ZodObject,
  StatusSchema extends z.ZodObject,
> {
  kind: K;
  plural: string;
  singular: string;
  description: string;
  spec: SpecSchema;
  status: StatusSchema;
  printerColumns: readonly PrinterColumn[];
}

export function defineKind<
  K extends string,
  SpecSchema extends z.ZodObject,
  StatusSchema extends z.ZodObject,
>(options: KindOptions<K, SpecSchema, StatusSchema>): KindDefinition<K, SpecSchema, StatusSchema> {
  const { kind, spec, status } = options;
  const resourceSchema = z.object({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    spec: z.preprocess((value) => value ?? {}, spec),
    status: status.optional(),
  });

  function run<S extends z.ZodType>(
    schema: S,
    input: unknown,
    key: string,
    prefix: string[],
  ): ParseResult<z.output<S>> {
    const result = schema.safeParse(input, { reportInput: true });
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, error: new ResourceValidationError(kind, key, fieldIssues(result.error, prefix)) };
  }

  return {
    group,
    version,
    apiVersion,
    kind,
    listKind: `${kind}List`,
    plural: options.plural,
    singular: options.singular,
    scope: "Namespaced",
    description: options.description,
    specSchema: spec,
    statusSchema: status,
    printerColumns: options.printerColumns,
    statusSubresource: true,
    // The resource schema's inferred output is the same shape; spelling it as Resource keeps hovers short.
    parse: (input) =>
      run(resourceSchema, input, objectKeyOf(input), []) as ParseResult<
        Resource<K, z.output<SpecSchema>, z.output<StatusSchema>>
      >,
    parseSpec: (input) => run(spec, input, "", ["spec"]),
    parseStatus: (input) => run(status, input, "", ["status"]),
  };
}
