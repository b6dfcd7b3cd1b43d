// VSO's change detection MAC, reproduced bit for bit so that a cluster moving from VSO to Keyport
// (or back) sees the same `status.secretMAC` and re-syncs nothing: HMAC-SHA256 over Go's
// `json.Marshal(map[string][]byte)` — keys sorted bytewise, values base64 — stored base64.
import { createHmac, timingSafeEqual } from "node:crypto";
import { compareBytewise, goJsonString } from "./go-json.ts";

export type SecretData = Readonly<Record<string, Uint8Array>>;

/** The HMAC key Secret VSO keeps in its namespace; Keyport reuses it rather than making its own. */
export const hmacKeySecretName = "vso-cc-storage-hmac-key";
export const hmacKeyDataKey = "key";
export const hmacKeyLength = 16;

export function secretMac(key: Uint8Array, data: SecretData): string {
  return createHmac("sha256", key).update(goJsonOfBytesMap(data)).digest("base64");
}

/** Go's encoding/json output for a map[string][]byte. */
export function goJsonOfBytesMap(data: SecretData): string {
  const keys = Object.keys(data).sort(compareBytewise);
  const fields = keys.map(
    (k) => `${goJsonString(k)}:"${Buffer.from(data[k] ?? new Uint8Array()).toString("base64")}"`,
  );
  return `{${fields.join(",")}}`;
}

/** Constant-time comparison of two base64 MACs. */
export function macEquals(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === "" || b === "") return false;
  const x = Buffer.from(a, "base64");
  const y = Buffer.from(b, "base64");
  return x.length === y.length && timingSafeEqual(x, y);
}
