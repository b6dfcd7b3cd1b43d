// Every kind Keyport serves, in the order the CRDs are printed.
import type { KindDefinition } from "./kind.ts";
import { secretTransformationKind } from "./secret-transformation.ts";
import { vaultAuthKind } from "./vault-auth.ts";
import { vaultAuthGlobalKind } from "./vault-auth-global.ts";
import { vaultConnectionKind } from "./vault-connection.ts";
import { vaultDynamicSecretKind } from "./vault-dynamic-secret.ts";
import { vaultPKISecretKind } from "./vault-pki-secret.ts";
import { vaultStaticSecretKind } from "./vault-static-secret.ts";

export const allKinds = [
  vaultConnectionKind,
  vaultAuthKind,
  vaultAuthGlobalKind,
  vaultStaticSecretKind,
  vaultDynamicSecretKind,
  vaultPKISecretKind,
  secretTransformationKind,
] as const;

export type KeyportKind = (typeof allKinds)[number];
export type KindName = KeyportKind["kind"];

export function kindByName(name: string): KindDefinition | undefined {
  return allKinds.find((kind) => kind.kind === name);
}
