// What the VaultDynamicSecret controller remembers between reconciles that status cannot hold:
// leases waiting to be revoked, and resources whose last attempt to get credentials failed. One
// per operator (tests run several in a process), gone with it.
import type { RolloutRestartTarget } from "../../sync/rollout.ts";
import type { OperatorContext } from "../context.ts";

export interface SupersededLease {
  leaseId: string;
  /** Restarted workloads: the lease is revoked once every one has rolled out. */
  targets: RolloutRestartTarget[];
  /** When the lease ends by itself, never renewed again; waiting longer is pointless. */
  expiresAtMs: number;
}

export interface DynamicSecretState {
  /** By resource UID. */
  superseded: Map<string, SupersededLease[]>;
  /** Resource UIDs whose credentials must be requested again (VSO's SyncRegistry). */
  forced: Set<string>;
}

const states = new WeakMap<OperatorContext, DynamicSecretState>();

export function stateOf(ctx: OperatorContext): DynamicSecretState {
  let state = states.get(ctx);
  if (state === undefined) {
    state = { superseded: new Map(), forced: new Set() };
    states.set(ctx, state);
  }
  return state;
}
