// Turns what Vault returned into the data of a Kubernetes Secret, the way VSO does: string
// values as they are, anything else JSON-encoded as Go encodes it, `_raw` holding the whole
// response data, then `excludes` and `includes` (regular expressions) applied to the fields.
import { type GoJsonValue, goMarshal } from "./go-json.ts";

export const rawKey = "_raw";

export type SecretBytes = Record<string, Uint8Array>;

export interface FieldFilter {
  includes?: readonly string[] | undefined;
  excludes?: readonly string[] | undefined;
  excludeRaw?: boolean | undefined;
}

export class SecretDataError extends Error {
  readonly reason = "SecretDataBuilderError";
}

/**
 * @param fields the secret's key/value pairs (kv-v2: `.data.data`; kv-v1 and others: `.data`)
 * @param raw the whole response `.data`, serialized into `_raw`
 */
export function buildSecretData(
  fields: Readonly<Record<string, GoJsonValue>>,
  raw: GoJsonValue,
  filter: FieldFilter = {},
): SecretBytes {
  const out: SecretBytes = {};
  if (!filter.excludeRaw) {
    if (Object.hasOwn(fields, rawKey)) {
      throw new SecretDataError(
        `the secret has a field named ${rawKey}, which collides with the raw data key`,
      );
    }
    out[rawKey] = Buffer.from(goMarshal(raw));
  }
  for (const name of filterFields(Object.keys(fields), filter)) {
    const value = fields[name] ?? null;
    out[name] = Buffer.from(typeof value === "string" ? value : goMarshal(value));
  }
  return out;
}

/** Excludes first, then includes; an empty include list keeps everything. */
export function filterFields(keys: readonly string[], filter: FieldFilter): string[] {
  const excludes = compile(filter.excludes);
  const includes = compile(filter.includes);
  return keys.filter(
    (k) => !excludes.some((r) => r.test(k)) && (includes.length === 0 || includes.some((r) => r.test(k))),
  );
}

const compiled = new Map<string, RegExp>();

function compile(patterns: readonly string[] | undefined): RegExp[] {
  return (patterns ?? []).map((p) => {
    let re = compiled.get(p);
    if (re === undefined) {
      try {
        // Go's regexp matches anywhere in the string, as RegExp.test does; "u" keeps RE2's code-point view.
        re = new RegExp(p, "u");
      } catch (error) {
        throw new SecretDataError(`invalid pattern ${JSON.stringify(p)}: ${(error as Error).message}`);
      }
      if (compiled.size > 1000) compiled.clear();
      compiled.set(p, re);
    }
    return re;
  });
}
