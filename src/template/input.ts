// Turns Keyport's data into the Go values VSO's templates see: Vault data decoded with
// json.Number for numbers, and the *helpers.SecretInput struct with VSO's field order.
import type { GoJsonValue } from "../sync/go-json.ts";
import { goString } from "./go-string.ts";
import { GoMap, GoSlice, GoStruct, type GoValue, JsonNumber, type StructField } from "./values.ts";

/** A Vault JSON value (JsonNumber for numbers) as the interface{} value Go decodes. */
export function fromVaultJson(v: GoJsonValue | undefined): GoValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return goString(v);
  if (typeof v === "boolean") return v;
  if (v instanceof JsonNumber) return v;
  if (typeof v === "number") return new JsonNumber(String(v));
  if (Array.isArray(v)) return new GoSlice("interface {}", (v as readonly GoJsonValue[]).map(fromVaultJson));
  const m = new Map<string, GoValue>();
  for (const k of Object.keys(v)) m.set(goString(k), fromVaultJson((v as Record<string, GoJsonValue>)[k]));
  return new GoMap("interface {}", m);
}

/**
 * A JSON object decoded by plain encoding/json (numbers become float64), as VSO decodes the
 * response-wrapping information it hands to templates as .WrapData.
 */
export function plainJsonMap(v: Readonly<Record<string, GoJsonValue>> | undefined): GoMap {
  if (v === undefined) return new GoMap("interface {}", new Map(), true);
  const floats = (x: GoValue): GoValue => {
    if (x instanceof JsonNumber) return Number(x.source);
    if (x instanceof GoSlice) return new GoSlice(x.elem, x.items.map(floats));
    if (x instanceof GoMap) return new GoMap(x.elem, new Map([...x.entries].map(([k, e]) => [k, floats(e)])));
    return x;
  };
  return floats(fromVaultJson(v as GoJsonValue)) as GoMap;
}

/** A map[string]interface{} from a JSON object; a nil map when absent. */
export function vaultMap(v: Readonly<Record<string, GoJsonValue>> | undefined): GoMap {
  if (v === undefined) return new GoMap("interface {}", new Map(), true);
  return fromVaultJson(v as GoJsonValue) as GoMap;
}

/** A Kubernetes string map copied into map[string]interface{}, nil when the object has none. */
export function stringMap(v: Readonly<Record<string, string>> | undefined): GoMap {
  if (v === undefined) return new GoMap("interface {}", new Map(), true);
  return new GoMap("interface {}", new Map(Object.entries(v).map(([k, s]) => [goString(k), goString(s)])));
}

const secretInputFields: readonly StructField[] = [
  { name: "Secrets", type: "map[string]interface {}", json: { name: "secrets", omitEmpty: false } },
  { name: "WrapData", type: "map[string]interface {}", json: { name: "wrapData", omitEmpty: true } },
  { name: "Metadata", type: "map[string]interface {}", json: { name: "metadata", omitEmpty: false } },
  { name: "Annotations", type: "map[string]interface {}", json: { name: "annotations", omitEmpty: false } },
  { name: "Labels", type: "map[string]interface {}", json: { name: "labels", omitEmpty: false } },
];

export interface SecretInputValues {
  secrets: GoMap;
  wrapData: GoMap;
  metadata: GoMap;
  annotations: GoMap;
  labels: GoMap;
}

/** VSO's *helpers.SecretInput. */
export function secretInput(v: SecretInputValues): GoStruct {
  return new GoStruct(
    "helpers.SecretInput",
    true,
    secretInputFields,
    new Map<string, GoValue>([
      ["Secrets", v.secrets],
      ["WrapData", v.wrapData],
      ["Metadata", v.metadata],
      ["Annotations", v.annotations],
      ["Labels", v.labels],
    ]),
  );
}
