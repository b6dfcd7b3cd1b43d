// The VaultDynamicSecret as the controller sees it: its spec, its status (VSO's fields), and the
// views of both that the schedule (maintenance.ts) and the metrics read.
import type { StaticCredsMetaData, VaultDynamicSecretSpec } from "../../api/index.ts";
import type { OperatorContext, RawResource } from "../context.ts";
import { parseDuration } from "../timing.ts";
import { credentialsExpireAtMs, type LeaseStatus, type MaintenanceSpec } from "./maintenance.ts";
import { staticCredsFromStatus } from "./static-creds.ts";

export const vdsFinalizer = "vaultdynamicsecret.secrets.hashicorp.com/finalizer";
export const vdsKind = "VaultDynamicSecret";
/** The controller's (and the store's) name. */
export const vdsController = "vaultdynamicsecret";

export interface SecretLeaseStatus {
  id: string;
  duration: number;
  renewable: boolean;
  requestID: string;
}

export interface VdsStatus {
  lastRenewalTime?: number;
  lastGeneration?: number;
  secretLease?: SecretLeaseStatus;
  staticCredsMetaData?: StaticCredsMetaData;
  lastRuntimePodUID?: string;
  secretMAC?: string;
  vaultClientMeta?: { cacheKey?: string; id?: string };
  /** Keyport extension: leases waiting for a rollout before they are revoked (superseded-status.ts). */
  supersededLeases?: unknown[];
  /** Keyport extension: the referenced SecretTransformations last rendered (transformations.ts). */
  transformationDigest?: string;
  conditions?: never;
}

export interface Vds {
  raw: RawResource;
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  spec: VaultDynamicSecretSpec;
  status: VdsStatus;
}

export const noLease: SecretLeaseStatus = { id: "", duration: 0, renewable: false, requestID: "" };

export function statusOf(raw: RawResource): VdsStatus {
  return (raw.status ?? {}) as VdsStatus;
}

export function maintenanceSpec(spec: VaultDynamicSecretSpec): MaintenanceSpec {
  return {
    renewalPercent: spec.renewalPercent,
    refreshAfterMs: spec.refreshAfter ? parseDuration(spec.refreshAfter) : undefined,
    allowStaticCreds: spec.allowStaticCreds ?? false,
  };
}

export function leaseStatus(status: VdsStatus): LeaseStatus {
  const lease = status.secretLease ?? noLease;
  return {
    lastRenewalTime: Number(status.lastRenewalTime ?? 0),
    lease: { id: lease.id ?? "", duration: Number(lease.duration ?? 0), renewable: lease.renewable ?? false },
    staticCreds: staticCredsFromStatus(status.staticCredsMetaData),
  };
}

export function ownerOf(vds: Vds) {
  return {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind: vdsKind,
    name: vds.name,
    namespace: vds.namespace,
    uid: vds.uid,
  };
}

/** keyport_lease_expiration_timestamp_seconds for this resource, from the status just written or read. */
export function recordExpiry(
  ctx: OperatorContext,
  vds: Vds,
  spec: MaintenanceSpec,
  status: LeaseStatus,
): void {
  const expires = credentialsExpireAtMs(spec, status);
  const labels = { namespace: vds.namespace, name: vds.name };
  if (expires === undefined) ctx.metrics.leaseExpiry.remove(labels);
  else ctx.metrics.leaseExpiry.set(labels, Math.floor(expires / 1000));
}
