// What the VaultDynamicSecret controller remembers between reconciles that status does not hold:
// resources whose last attempt to get credentials failed. One per operator (tests run several in
// a process), gone with it. (Leases waiting to be revoked are in status: superseded-leases.ts.)
import type { OperatorContext } from "../context.ts";

export interface DynamicSecretState {
  /** Resource UIDs whose credentials must be requested again (VSO's SyncRegistry). */
  forced: Set<string>;
}

const states = new WeakMap<OperatorContext, DynamicSecretState>();

export function stateOf(ctx: OperatorContext): DynamicSecretState {
  let state = states.get(ctx);
  if (state === undefined) {
    state = { forced: new Set() };
    states.set(ctx, state);
  }
  return state;
}
