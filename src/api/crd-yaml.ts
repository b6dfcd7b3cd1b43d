// CRDs as YAML: one document per kind, the same bytes every time for the same schemas.
import { dump } from "js-yaml";
import { allKinds } from "./all-kinds.ts";
import { buildCrd } from "./crd.ts";
import type { KindDefinition } from "./kind.ts";

/** One CRD as a YAML document, starting with `---` so files concatenate into a valid stream. */
export function renderCrdYaml(kind: KindDefinition): string {
  return `---\n${dump(buildCrd(kind), { lineWidth: -1, noRefs: true, quoteStyle: "double" })}`;
}

/** All CRDs as one multi-document YAML stream (what `keyport crds` prints). */
export function renderCrdsYaml(): string {
  return allKinds.map(renderCrdYaml).join("");
}

/** VSO's file name for a kind's CRD, e.g. secrets.hashicorp.com_vaultstaticsecrets.yaml. */
export function crdFileName(kind: KindDefinition): string {
  return `${kind.group}_${kind.plural}.yaml`;
}

/** File name → content of deploy/crds, as the generator writes it. */
export function crdFiles(): Map<string, string> {
  return new Map(allKinds.map((kind) => [crdFileName(kind), renderCrdYaml(kind)]));
}
