// Static-role credentials (database, ldap): Vault rotates the password on its own schedule and
// every read returns the same password until then — with a `ttl` that counts down. Those rotation
// fields change on every read, so they are left out of the change detection (VSO's rule, and
// status.secretMAC stays comparable with VSO's): a read that only moved the ttl writes nothing and
// restarts nothing.
import type { StaticCredsMetaData } from "../../api/index.ts";
import { rawKey, type SecretBytes } from "../../sync/secret-data.ts";
import type { StaticCredsMetadata } from "../../vault/index.ts";

export const rotationFields: readonly string[] = [
  "ttl",
  "rotation_schedule",
  "rotation_period",
  "last_vault_rotation",
  rawKey,
];

export function withoutRotationFields(data: SecretBytes): SecretBytes {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !rotationFields.includes(key)));
}

/** status.staticCredsMetaData as VSO writes it: always present, zeros for leased credentials. */
export function staticCredsStatus(meta: StaticCredsMetadata): StaticCredsMetaData {
  return {
    lastVaultRotation: meta.lastVaultRotation,
    rotationPeriod: meta.rotationPeriod,
    ...(meta.rotationSchedule === "" ? {} : { rotationSchedule: meta.rotationSchedule }),
    ttl: meta.ttl,
  };
}

export function staticCredsFromStatus(
  status: StaticCredsMetaData | undefined,
): StaticCredsMetadata | undefined {
  if (status === undefined) return undefined;
  return {
    lastVaultRotation: Number(status.lastVaultRotation ?? 0),
    rotationPeriod: Number(status.rotationPeriod ?? 0),
    rotationSchedule: status.rotationSchedule ?? "",
    ttl: Number(status.ttl ?? 0),
  };
}

export function sameRotation(a: StaticCredsMetadata | undefined, b: StaticCredsMetadata): boolean {
  return (
    a !== undefined &&
    a.lastVaultRotation === b.lastVaultRotation &&
    a.rotationPeriod === b.rotationPeriod &&
    a.rotationSchedule === b.rotationSchedule &&
    a.ttl === b.ttl
  );
}
