// Is this Vault there, initialised and unsealed? `sys/seal-status` is unauthenticated and answers
// 200 whether sealed or not, which is why VSO's VaultConnection controller uses it.
import { z } from "zod";
import type { VaultHttp } from "./http.ts";
import { parseResponse } from "./responses.ts";

export interface VaultPing {
  initialized: boolean;
  sealed: boolean;
  version: string;
  /** Set once the cluster is initialised and unsealed. */
  clusterName: string | undefined;
  /** Seal type (shamir, transit, …). */
  type: string | undefined;
}

const sealStatusSchema = z.looseObject({
  initialized: z.boolean(),
  sealed: z.boolean(),
  version: z.string().default(""),
  cluster_name: z.string().nullish(),
  type: z.string().nullish(),
});

/** One `GET sys/seal-status`; throws VaultError (VaultUnreachable, TLSError, Timeout, …). */
export async function pingVault(http: VaultHttp, options: { signal?: AbortSignal } = {}): Promise<VaultPing> {
  const res = await http.send({
    method: "GET",
    path: "sys/seal-status",
    // The root namespace: seal status is not namespaced.
    namespace: "",
    signal: options.signal,
  });
  const status = parseResponse(sealStatusSchema, res.body, "sys/seal-status");
  return {
    initialized: status.initialized,
    sealed: status.sealed,
    version: status.version,
    clusterName: status.cluster_name ?? undefined,
    type: status.type ?? undefined,
  };
}
