// The shapes Vault answers with, validated where this client depends on a field being there.
// Schemas are loose: Vault adds fields between versions and OpenBao adds its own.
import { z } from "zod";
import { VaultError } from "./errors.ts";

/** The envelope of every logical response (`/v1/<mount>/...`). */
export interface VaultSecretResponse<T = Record<string, unknown>> {
  request_id?: string;
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  data?: T | null;
  warnings?: string[] | null;
  wrap_info?: Record<string, unknown> | null;
  auth?: VaultAuthBlock | null;
  mount_type?: string;
}

export const authBlockSchema = z.looseObject({
  client_token: z.string().min(1),
  accessor: z.string().default(""),
  policies: z.array(z.string()).nullish(),
  token_policies: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  lease_duration: z.number().int().nonnegative(),
  renewable: z.boolean(),
  entity_id: z.string().nullish(),
  token_type: z.string().nullish(),
});

export type VaultAuthBlock = z.infer<typeof authBlockSchema>;

/** `auth/token/lookup-self` data: the fields the token lifecycle needs. */
export const tokenLookupSchema = z.looseObject({
  accessor: z.string().default(""),
  /** Seconds left; 0 for a token that never expires (root). */
  ttl: z.number().int().nonnegative(),
  creation_ttl: z.number().int().nonnegative().nullish(),
  renewable: z.boolean().default(false),
  policies: z.array(z.string()).nullish(),
  entity_id: z.string().nullish(),
  expire_time: z.string().nullish(),
  namespace_path: z.string().nullish(),
});

export type TokenLookup = z.infer<typeof tokenLookupSchema>;

/** Parses `value` or throws UnexpectedResponse naming the path and the fields that were wrong. */
export function parseResponse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Only field paths and issue codes: the values may be secrets.
  const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.code}`).join(", ");
  throw new VaultError({ reason: "UnexpectedResponse", message: `${what}: unexpected response (${fields})` });
}

/** The `data` object of a response, or UnexpectedResponse when it is missing. */
export function requireData<T = Record<string, unknown>>(
  response: VaultSecretResponse<T> | undefined,
  what: string,
): T {
  const data = response?.data;
  if (data === undefined || data === null || typeof data !== "object") {
    throw new VaultError({ reason: "UnexpectedResponse", message: `${what}: the response has no data` });
  }
  return data;
}
