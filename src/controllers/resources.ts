// The REST collections the controllers read and write, derived from the kind definitions.
import {
  secretTransformationKind,
  vaultAuthGlobalKind,
  vaultAuthKind,
  vaultConnectionKind,
  vaultDynamicSecretKind,
  vaultPKISecretKind,
  vaultStaticSecretKind,
} from "../api/index.ts";
import type { ResourceType } from "../kube/resource.ts";

function of(kind: { apiVersion: string; kind: string; plural: string }): ResourceType {
  return { apiVersion: kind.apiVersion, kind: kind.kind, plural: kind.plural, namespaced: true };
}

export const vaultConnections = of(vaultConnectionKind);
export const vaultAuths = of(vaultAuthKind);
export const vaultAuthGlobals = of(vaultAuthGlobalKind);
export const vaultStaticSecrets = of(vaultStaticSecretKind);
export const vaultDynamicSecrets = of(vaultDynamicSecretKind);
export const vaultPkiSecrets = of(vaultPKISecretKind);
export const secretTransformations = of(secretTransformationKind);
export const serviceAccounts: ResourceType = {
  apiVersion: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  namespaced: true,
};
