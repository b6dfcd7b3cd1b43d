// Whether a VaultDynamicSecret needs new credentials now, and why — VSO's checks in VSO's order.
// Everything else (renewal, static-role rotation, refresh) is maintenance (maintenance.ts).

export type SyncReason =
  | "InitialSync"
  | "ForceSync"
  | "ResourceUpdated"
  | "InexistentDestination"
  | "VaultClientConfigChanged"
  | "VaultTokenRotated"
  | "TransformationUpdated";

export interface SyncFacts {
  generation: number;
  /** status.lastGeneration; 0 before the first sync. */
  lastGeneration: number;
  /** The last attempt to issue credentials failed and must be repeated. */
  forced: boolean;
  /** spec.destination.create */
  createsDestination: boolean;
  destinationExists: boolean;
  cacheKey: string;
  /** status.vaultClientMeta.cacheKey */
  lastCacheKey: string;
  /** The hashed accessor of the token in use now. */
  clientId: string | undefined;
  /** status.vaultClientMeta.id: the token the current lease was created with. */
  lastClientId: string;
}

export function syncReason(f: SyncFacts): SyncReason | undefined {
  if (f.lastGeneration === 0) return "InitialSync";
  if (f.forced) return "ForceSync";
  if (f.generation !== f.lastGeneration) return "ResourceUpdated";
  if (f.createsDestination && !f.destinationExists) return "InexistentDestination";
  // A VaultAuth or VaultConnection edit: the old token was revoked, and its leases with it.
  if (f.lastCacheKey !== "" && f.lastCacheKey !== f.cacheKey) return "VaultClientConfigChanged";
  // Another token than the one that created the lease: that token is gone or going, and Vault
  // ends its leases with it. A token adopted after a restart has the same id, so this stays quiet.
  if (f.lastClientId !== "" && f.clientId !== undefined && f.lastClientId !== f.clientId) {
    return "VaultTokenRotated";
  }
  return undefined;
}
