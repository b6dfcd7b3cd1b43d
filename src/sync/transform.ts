// VSO's secret transformation pipeline (helpers/template.go and makeK8sData in VSO v1.4.1):
// gather inline templates, SecretTransformation templates and source templates into one
// template set, render each keyed template with .Secrets/.Metadata/.Annotations/.Labels, then
// add `_raw` and the source fields that survive the exclude/include filters. Rendered keys are
// never overwritten by raw fields.
import type { SecretTransformationSpec, Template, Transformation, TransformationRef } from "../api/index.ts";
import {
  type ExecLimits,
  type GoMap,
  goJsonMarshal,
  plainJsonMap,
  secretInput,
  stringMap,
  TemplateError,
  TemplateSet,
  vaultMap,
} from "../template/index.ts";
import { type GoJsonValue, goMarshal } from "./go-json.ts";
import { filterFields, rawKey, type SecretBytes, SecretDataError } from "./secret-data.ts";

/** A problem with the transformation itself (duplicate names, missing or invalid references). */
export class TransformationError extends Error {
  readonly reason = "TransformationError";
  constructor(message: string) {
    super(message);
    this.name = "TransformationError";
  }
}

export { TemplateError };

/**
 * The Event reason VSO uses for a failure of renderSecretData: gathering the transformation
 * (duplicates, references) is a TransformationError; parsing or executing templates and
 * assembling the data is a SecretDataBuilderError (VSO reports both from different steps).
 */
export function transformationFailureReason(
  error: unknown,
): "TransformationError" | "SecretDataBuilderError" | undefined {
  if (error instanceof TransformationError) return "TransformationError";
  if (error instanceof TemplateError || error instanceof SecretDataError) return "SecretDataBuilderError";
  return undefined;
}

export interface ObjectKey {
  namespace: string;
  name: string;
}

/**
 * Looks up a referenced SecretTransformation. Return its spec, or an Error when it does not
 * exist or its status is not `valid: true` (VSO refuses invalid ones).
 */
export type TransformationResolver = (key: ObjectKey) => SecretTransformationSpec | Error;

export interface RenderSecretDataInput {
  /** The secret's fields, `.Secrets` (kv-v2: response `.data.data`; others: `.data`). */
  fields: Readonly<Record<string, GoJsonValue>>;
  /** The whole response `.data`: it becomes `_raw`, and its `metadata` object `.Metadata`. */
  raw: GoJsonValue;
  /** `.Metadata` when it does not come from `raw.metadata` (HCP Vault Secrets). */
  metadata?: Readonly<Record<string, GoJsonValue>>;
  /** `.WrapData` (response wrapping information), when there is any; its numbers become float64 as in VSO. */
  wrapData?: Readonly<Record<string, GoJsonValue>>;
  /** The syncing object's annotations and labels (`.Annotations`, `.Labels`). */
  annotations?: Readonly<Record<string, string>> | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
  transformation?: Transformation | undefined;
  resolveTransformation?: TransformationResolver;
  /** `--global-transformation-options=exclude-raw` */
  globalExcludeRaw?: boolean;
  objectNamespace: string;
  objectName: string;
  limits?: Partial<ExecLimits>;
}

interface KeyedTemplate {
  /** destination key; empty for source templates */
  key: string;
  name: string;
  text: string;
  /** inline templates win over referenced ones for the same key */
  inline: boolean;
}

/** The SecretTransformation keys a transformation refers to (for the reference index). */
export function transformationRefKeys(t: Transformation | undefined, defaultNamespace: string): ObjectKey[] {
  return (t?.transformationRefs ?? []).map((r) => ({
    namespace: r.namespace || defaultNamespace,
    name: r.name,
  }));
}

function compareGo(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

interface Gathered {
  templates: KeyedTemplate[];
  excludes: string[];
  includes: string[];
}

function gather(
  t: Transformation,
  ns: string,
  obj: string,
  resolve: TransformationResolver | undefined,
): Gathered {
  const errors: string[] = [];
  const seen = new Set<string>();
  const templates: KeyedTemplate[] = [];
  const excludes = new Set<string>(t.excludes ?? []);
  const includes = new Set<string>(t.includes ?? []);

  const add = (tmpl: Template, key: string, inline: boolean) => {
    const name = tmpl.name ?? "";
    if (seen.has(name)) {
      errors.push(`duplicate template name ${JSON.stringify(name)}`);
      return;
    }
    if (name === "") {
      errors.push("template name empty");
      return;
    }
    seen.add(name);
    templates.push({ key, name, text: tmpl.text, inline });
  };

  if (ns === "" || obj === "") throw new TransformationError("the object has an empty namespace or name");

  for (const key of Object.keys(t.templates ?? {}).sort(compareGo)) {
    const tmpl = t.templates?.[key] as Template;
    add({ name: tmpl.name || `${ns}/${obj}/${key}`, text: tmpl.text }, key, true);
  }

  const seenRefs = new Set<string>();
  for (const ref of t.transformationRefs ?? ([] as TransformationRef[])) {
    const key: ObjectKey = { namespace: ref.namespace || ns, name: ref.name };
    const keyString = `${key.namespace}/${key.name}`;
    if (seenRefs.has(keyString)) {
      errors.push(`duplicate SecretTransformation ref ${keyString}`);
      continue;
    }
    seenRefs.add(keyString);
    const spec = resolve ? resolve(key) : new Error(`SecretTransformation ${keyString} cannot be resolved`);
    if (spec instanceof Error) {
      errors.push(spec.message);
      continue;
    }
    if (!ref.ignoreExcludes) for (const e of spec.excludes ?? []) excludes.add(e);
    if (!ref.ignoreIncludes) for (const i of spec.includes ?? []) includes.add(i);

    const stTemplates = spec.templates ?? {};
    for (const tr of ref.templateRefs ?? []) {
      if (seen.has(tr.name)) {
        errors.push(`duplicate template name ${JSON.stringify(tr.name)}`);
        continue;
      }
      const tmpl = Object.hasOwn(stTemplates, tr.name) ? stTemplates[tr.name] : undefined;
      if (tmpl === undefined) {
        errors.push(
          `template ${JSON.stringify(tr.name)} not found in object ${keyString}, SecretTransformation`,
        );
        continue;
      }
      // VSO leaves an unnamed referenced template without a name and then refuses it; Keyport
      // names it as it names templates of a ref without templateRefs.
      add(
        { name: tmpl.name || `${keyString}/${tr.name}`, text: tmpl.text },
        tr.keyOverride || tr.name,
        false,
      );
    }
    (spec.sourceTemplates ?? []).forEach((s, idx) => {
      add({ name: s.name || `${keyString}/${idx}`, text: s.text }, "", false);
    });
    if ((ref.templateRefs ?? []).length === 0) {
      for (const k of Object.keys(stTemplates).sort(compareGo)) {
        const tmpl = stTemplates[k] as Template;
        // VSO skips a template whose key equals a template name already seen ("first in wins").
        if (seen.has(k)) continue;
        add({ name: tmpl.name || `${keyString}/${k}`, text: tmpl.text }, k, false);
      }
    }
  }
  if (errors.length > 0) throw new TransformationError(errors.join("\n"));
  // Source templates first, then by key and name, as VSO orders them before parsing.
  templates.sort((a, b) => compareGo(`${a.key}0${a.name}`, `${b.key}0${b.name}`));
  return { templates, excludes: [...excludes].sort(compareGo), includes: [...includes].sort(compareGo) };
}

/** The data of the destination Secret, exactly as VSO renders it. */
export function renderSecretData(input: RenderSecretDataInput): SecretBytes {
  const t = input.transformation;
  const gathered: Gathered = t
    ? gather(t, input.objectNamespace, input.objectName, input.resolveTransformation)
    : { templates: [], excludes: [], includes: [] };
  const excludeRaw = input.globalExcludeRaw === true || t?.excludeRaw === true;
  const raw = goMarshal(input.raw);

  const secrets = vaultMap(input.fields);
  const rendered = new Map<string, { bytes: Buffer; inline: boolean }>();
  if (gathered.templates.length > 0) {
    const set = new TemplateSet(input.limits);
    for (const kt of gathered.templates) {
      try {
        set.parse(kt.name, kt.text);
      } catch (error) {
        if (error instanceof TemplateError) throw new TemplateError("parse", `parse error: ${error.message}`);
        throw error;
      }
    }
    const rawMetadata =
      input.raw !== null && typeof input.raw === "object" && !Array.isArray(input.raw)
        ? (input.raw as Record<string, GoJsonValue>).metadata
        : undefined;
    const metadata: GoMap =
      input.metadata !== undefined
        ? vaultMap(input.metadata)
        : rawMetadata !== null && typeof rawMetadata === "object" && !Array.isArray(rawMetadata)
          ? vaultMap(rawMetadata as Record<string, GoJsonValue>)
          : vaultMap({});
    const data = secretInput({
      secrets,
      wrapData: plainJsonMap(input.wrapData),
      metadata,
      annotations: stringMap(input.annotations),
      labels: stringMap(input.labels),
    });
    for (const kt of gathered.templates) {
      if (kt.key === "") continue;
      const bytes = set.execute(kt.name, data);
      const prior = rendered.get(kt.key);
      if (prior?.inline && !kt.inline) continue;
      rendered.set(kt.key, { bytes, inline: kt.inline });
    }
  }

  const out: SecretBytes = {};
  // Templates may have changed .Secrets (set/unset/merge): VSO filters the same map afterwards.
  const fieldNames = [...secrets.entries.keys()];
  if (!excludeRaw) {
    if (fieldNames.includes(rawKey) || rendered.has(rawKey)) {
      throw new SecretDataError(`key '${rawKey}' not permitted in Secret data`);
    }
    out[rawKey] = Buffer.from(raw);
  }
  for (const [key, r] of rendered) out[key] = r.bytes;
  const kept = filterFields(fieldNames, { includes: gathered.includes, excludes: gathered.excludes });
  for (const name of kept) {
    if (Object.hasOwn(out, name)) continue;
    const value = secrets.entries.get(name);
    out[name] =
      typeof value === "string"
        ? Buffer.from(value, "latin1")
        : Buffer.from(goJsonMarshal(value ?? null), "latin1");
  }
  return out;
}

/** What the SecretTransformation controller reports: does every template parse? */
export function validateSecretTransformation(
  spec: SecretTransformationSpec,
  key: ObjectKey,
): { valid: boolean; error: string } {
  const errors: string[] = [];
  const set = new TemplateSet();
  const prefix = `${key.namespace}/${key.name}`;
  const parse = (name: string, text: string) => {
    try {
      set.parse(name, text);
    } catch (error) {
      if (error instanceof TemplateError) errors.push(`parse error: ${error.message}`);
      else throw error;
    }
  };
  (spec.sourceTemplates ?? []).forEach((s, idx) => {
    parse(s.name ? `${prefix}/${s.name}` : `${prefix}/${idx}`, s.text);
  });
  for (const k of Object.keys(spec.templates ?? {}).sort(compareGo)) {
    const tmpl = spec.templates?.[k] as Template;
    parse(`${prefix}/${tmpl.name || k}`, tmpl.text);
  }
  return errors.length === 0 ? { valid: true, error: "" } : { valid: false, error: errors.join("\n") };
}
