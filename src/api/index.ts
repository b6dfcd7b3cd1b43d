// The custom resources Keyport serves: schemas, types, parse functions and CRDs, from one source.
export { allKinds, type KeyportKind, type KindName, kindByName } from "./all-kinds.ts";
export { buildCrd, type CustomResourceDefinition, crdName, openApiSchemaOf } from "./crd.ts";
export { crdFileName, crdFiles, renderCrdsYaml, renderCrdYaml } from "./crd-yaml.ts";
export { apiVersion, group, type KindDefinition, type Resource, version } from "./kind.ts";
export { type ObjectMeta, type OwnerReference, objectKeyOf } from "./object-meta.ts";
export type { PrinterColumn } from "./printer-columns.ts";
export * from "./secret-transformation.ts";
export * from "./shared.ts";
export { assertStructural, type JsonSchemaProps, structuralViolations } from "./structural.ts";
export * from "./validation-error.ts";
export * from "./vault-auth.ts";
export * from "./vault-auth-global.ts";
export * from "./vault-auth-methods.ts";
export * from "./vault-connection.ts";
export * from "./vault-dynamic-secret.ts";
export * from "./vault-pki-secret.ts";
export * from "./vault-static-secret.ts";
