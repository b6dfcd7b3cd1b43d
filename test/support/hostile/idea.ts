// The shape every hostile-input idea shares: given a valid resource, return a hostile variant and
// say what was done to it (the description is what a failing test prints).
import type { Rng } from "./random.ts";

export type Kind =
  | "VaultConnection"
  | "VaultAuth"
  | "VaultStaticSecret"
  | "VaultPKISecret"
  | "VaultDynamicSecret"
  | "SecretTransformation";

export interface Candidate {
  kind: Kind;
  name: string;
  /** Extra metadata (labels, annotations) — some ideas attack those. */
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

export interface Idea {
  name: string;
  /** Mutates `candidate` in place and returns a one-line description of the mutation. */
  apply(rng: Rng, candidate: Candidate): string;
}

/** Fields of each kind worth attacking, as paths into spec. */
export const fieldsOf: Record<Kind, readonly (readonly string[])[]> = {
  VaultConnection: [
    ["address"],
    ["headers"],
    ["tlsServerName"],
    ["caCertSecretRef"],
    ["skipTLSVerify"],
    ["timeout"],
    ["caCertPath"],
    ["clientCertSecretRef"],
  ],
  VaultAuth: [
    ["method"],
    ["mount"],
    ["namespace"],
    ["allowedNamespaces"],
    ["vaultConnectionRef"],
    ["params"],
    ["headers"],
    ["kubernetes", "role"],
    ["kubernetes", "serviceAccount"],
    ["kubernetes", "audiences"],
    ["kubernetes", "tokenExpirationSeconds"],
    ["vaultAuthGlobalRef"],
  ],
  VaultStaticSecret: [
    ["type"],
    ["mount"],
    ["path"],
    ["version"],
    ["refreshAfter"],
    ["vaultAuthRef"],
    ["namespace"],
    ["hmacSecretData"],
    ["destination", "name"],
    ["destination", "labels"],
    ["destination", "annotations"],
    ["destination", "type"],
    ["destination", "transformation", "templates"],
    ["destination", "transformation", "includes"],
    ["destination", "transformation", "excludes"],
    ["destination", "transformation", "transformationRefs"],
    ["rolloutRestartTargets"],
    ["syncConfig"],
  ],
  VaultPKISecret: [
    ["mount"],
    ["role"],
    ["commonName"],
    ["altNames"],
    ["ipSans"],
    ["uriSans"],
    ["ttl"],
    ["expiryOffset"],
    ["format"],
    ["privateKeyFormat"],
    ["issuerRef"],
    ["destination", "name"],
    ["destination", "type"],
    ["destination", "transformation", "templates"],
  ],
  VaultDynamicSecret: [
    ["mount"],
    ["path"],
    ["params"],
    ["requestHTTPMethod"],
    ["renewalPercent"],
    ["refreshAfter"],
    ["allowStaticCreds"],
    ["destination", "name"],
    ["destination", "transformation", "templates"],
    ["destination", "transformation", "excludes"],
  ],
  SecretTransformation: [["templates"], ["sourceTemplates"], ["includes"], ["excludes"]],
};

/** Sets spec[path] = value, creating objects on the way (replacing non-objects). */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

export function describePath(path: readonly string[]): string {
  return `spec.${path.join(".")}`;
}
