// Rendering a secret resource's destination data through its transformation, with referenced
// SecretTransformations looked up in the store (and refused unless their status says valid).
import { createHash } from "node:crypto";
import { parseSecretTransformation, type Transformation } from "../api/index.ts";
import type { GoJsonValue } from "../sync/go-json.ts";
import type { SecretBytes } from "../sync/secret-data.ts";
import { renderSecretData, transformationRefKeys } from "../sync/transform.ts";
import type { OperatorContext, RawResource } from "./context.ts";

export interface RenderSource {
  /** `.Secrets`: the secret's fields. */
  fields: Readonly<Record<string, GoJsonValue>>;
  /** The whole response data: `_raw`, and `.Metadata` from its `metadata`. */
  raw: GoJsonValue;
}

export function renderDestinationData(
  ctx: OperatorContext,
  object: RawResource,
  transformation: Transformation | undefined,
  source: RenderSource,
): SecretBytes {
  return renderSecretData({
    fields: source.fields,
    raw: source.raw,
    annotations: object.metadata?.annotations,
    labels: object.metadata?.labels,
    transformation,
    globalExcludeRaw: ctx.settings.globalExcludeRaw,
    objectNamespace: object.metadata?.namespace ?? "",
    objectName: object.metadata?.name ?? "",
    resolveTransformation: (key) => {
      const raw = ctx.stores.secretTransformations.get(key.namespace, key.name);
      if (raw === undefined) return new Error(`SecretTransformation ${key.namespace}/${key.name} not found`);
      if (raw.status?.valid !== true) {
        return new Error(`SecretTransformation ${key.namespace}/${key.name} is not valid`);
      }
      const parsed = parseSecretTransformation(raw);
      if (!parsed.ok) return new Error(parsed.error.message);
      const referrer = object.metadata?.namespace ?? "";
      const allowed = parsed.value.spec.allowedNamespaces;
      // Keyport extension; unset means any namespace, as in VSO.
      if (
        allowed !== undefined &&
        key.namespace !== referrer &&
        !allowed.includes("*") &&
        !allowed.includes(referrer)
      ) {
        return new Error(
          `SecretTransformation ${key.namespace}/${key.name} does not allow namespace ${referrer} (see its allowedNamespaces)`,
        );
      }
      return parsed.value.spec;
    },
  });
}

/** Index values for the "transformation" index of secret kinds: `namespace/name` of each ref. */
export function transformationIndex(object: RawResource): string[] {
  const destination = (object.spec as { destination?: { transformation?: Transformation } } | undefined)
    ?.destination;
  return transformationRefKeys(destination?.transformation, object.metadata?.namespace ?? "").map(
    (k) => `${k.namespace}/${k.name}`,
  );
}

/**
 * A digest of what the referenced SecretTransformations contribute (each one's spec and validity),
 * or undefined without references. Certificates and leased credentials are not re-read on every
 * reconcile, so this is how their reconciles notice that a shared transformation changed: VSO
 * answers such an edit with a new certificate or new credentials; Keyport compares digests and
 * re-renders what it already holds.
 */
export function referencedTransformationsDigest(
  ctx: OperatorContext,
  object: RawResource,
  transformation: Transformation | undefined,
): string | undefined {
  const keys = transformationRefKeys(transformation, object.metadata?.namespace ?? "");
  if (keys.length === 0) return undefined;
  const hash = createHash("sha256");
  for (const key of keys) {
    const st = ctx.stores.secretTransformations.get(key.namespace, key.name);
    hash.update(JSON.stringify([key.namespace, key.name, st?.spec ?? null, st?.status?.valid === true]));
    hash.update("\n");
  }
  return hash.digest("hex").slice(0, 32);
}
