// What a reconcile asks of the controller once it has converged as far as it can.

/**
 * - `requeue`: reconcile this key again after `afterMs` — refresh intervals, lease renewals and
 *   certificate renewals. The latest reconcile's deadline replaces any earlier one for the key.
 * - `awaitChange`: nothing is due; only a watch event (or an explicit enqueue) wakes the key.
 *   A missed event is then only repaired by the next event, so prefer a periodic requeue
 *   wherever eventual consistency matters.
 */
export type Action =
  | { readonly kind: "requeue"; readonly afterMs: number }
  | { readonly kind: "awaitChange" };

/** Reconcile again after `ms` milliseconds (negative delays mean now). */
export function requeueAfter(ms: number): Action {
  if (Number.isNaN(ms)) throw new RangeError("requeueAfter: delay is NaN");
  return { kind: "requeue", afterMs: Math.max(0, ms) };
}

/** Wait for a change to the object or to something mapped onto it. */
export function awaitChange(): Action {
  return awaitChangeAction;
}

const awaitChangeAction: Action = Object.freeze({ kind: "awaitChange" });
