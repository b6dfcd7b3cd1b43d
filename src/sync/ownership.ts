// The marks VSO puts on the Secrets it creates. Keyport uses exactly the same ones, so a Secret
// VSO created is one Keyport owns, and the other way round: switching controllers rewrites nothing.

export const managedByLabel = "app.kubernetes.io/managed-by";
export const nameLabel = "app.kubernetes.io/name";
export const componentLabel = "app.kubernetes.io/component";
export const ownerUidLabel = "secrets.hashicorp.com/vso-ownerRefUID";

const managedBy = "hashicorp-vso";
const appName = "vault-secrets-operator";

/** Only Secrets carrying these labels are cached by the operator (never every Secret). */
export const managedSecretSelector = `${managedByLabel}=${managedBy},${nameLabel}=${appName}`;

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export function ownerLabels(owner: Owner): Record<string, string> {
  return {
    [managedByLabel]: managedBy,
    [nameLabel]: appName,
    [componentLabel]: "secret-sync",
    [ownerUidLabel]: owner.uid,
  };
}

/** VSO's shape: no `controller`, no `blockOwnerDeletion`. */
export function ownerReference(owner: Owner): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid };
}

export interface SecretMeta {
  labels?: Record<string, string> | undefined;
  ownerReferences?:
    | readonly Partial<OwnerReference & { controller: boolean; blockOwnerDeletion: boolean }>[]
    | undefined;
}

export type Ownership =
  /** Ours: every owner label and exactly our ownerReference. */
  | "owned"
  /** Carries no owner labels at all: may be taken over when `overwrite: true`. */
  | "unmarked"
  /** Marked as managed, but for another resource (or the marks are incomplete): never touched. */
  | "foreign";

export function ownershipOf(meta: SecretMeta, owner: Owner): Ownership {
  const labels = meta.labels ?? {};
  const expected = ownerLabels(owner);
  const present = Object.keys(expected).filter((k) => labels[k] !== undefined);
  if (present.length === 0) return "unmarked";
  const labelsMatch = Object.entries(expected).every(([k, v]) => labels[k] === v);
  const refs = meta.ownerReferences ?? [];
  const ref = ownerReference(owner);
  const refsMatch =
    refs.length === 1 &&
    refs[0]?.apiVersion === ref.apiVersion &&
    refs[0]?.kind === ref.kind &&
    refs[0]?.name === ref.name &&
    refs[0]?.uid === ref.uid;
  return labelsMatch && refsMatch ? "owned" : "foreign";
}
