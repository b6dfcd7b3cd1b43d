// The CustomResourceDefinition (apiextensions.k8s.io/v1) of a kind, built from its zod schemas.
import type { KindDefinition } from "./kind.ts";
import { toCrdSchema } from "./openapi-schema.ts";
import type { PrinterColumn } from "./printer-columns.ts";
import { assertStructural, type JsonSchemaProps } from "./structural.ts";

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string };
    scope: "Namespaced";
    versions: CustomResourceDefinitionVersion[];
  };
}

export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  additionalPrinterColumns?: PrinterColumn[];
  schema: { openAPIV3Schema: JsonSchemaProps };
  subresources: { status: Record<string, never> };
}

export function crdName(kind: KindDefinition): string {
  return `${kind.plural}.${kind.group}`;
}

export function openApiSchemaOf(kind: KindDefinition): JsonSchemaProps {
  const schema: JsonSchemaProps = {
    description: kind.description,
    properties: {
      apiVersion: {
        description: "Versioned schema of this representation of the object.",
        type: "string",
      },
      kind: { description: "REST resource this object represents, in CamelCase.", type: "string" },
      metadata: { type: "object" },
      spec: toCrdSchema(kind.specSchema),
      status: toCrdSchema(kind.statusSchema),
    },
    type: "object",
  };
  assertStructural(kind.kind, schema);
  return schema;
}

export function buildCrd(kind: KindDefinition): CustomResourceDefinition {
  const version: CustomResourceDefinitionVersion = {
    name: kind.version,
    served: true,
    storage: true,
    ...(kind.printerColumns.length > 0
      ? { additionalPrinterColumns: kind.printerColumns.map((column) => ({ ...column })) }
      : {}),
    schema: { openAPIV3Schema: openApiSchemaOf(kind) },
    subresources: { status: {} },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: crdName(kind) },
    spec: {
      group: kind.group,
      names: { kind: kind.kind, listKind: kind.listKind, plural: kind.plural, singular: kind.singular },
      scope: kind.scope,
      versions: [version],
    },
  };
}
