// Conditions as metav1.Condition wants them: lastTransitionTime moves only when the status flips,
// so re-stating the same condition is not a change, and a status patch is skipped.
import type { Condition } from "../api/index.ts";

export interface ConditionInput {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

/**
 * The CRDs cap a condition message at 32768 characters (metav1.Condition); a longer one makes the
 * apiserver refuse the whole status patch, so the resource would show no condition at all. Error
 * messages can quote user input (a 512 KiB reference name, a label map the apiserver refused key
 * by key): keep the start, which says what went wrong, and a bounded size.
 */
export const maxConditionMessageLength = 4096;

const truncatedSuffix = "… (truncated)";

function boundedMessage(message: string): string {
  return message.length <= maxConditionMessageLength
    ? message
    : `${message.slice(0, maxConditionMessageLength - truncatedSuffix.length)}${truncatedSuffix}`;
}

export function setConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const before = new Map((previous ?? []).map((c) => [c.type, c]));
  const out: Condition[] = [];
  for (const c of next) {
    const old = before.get(c.type);
    out.push({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: boundedMessage(c.message),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      lastTransitionTime:
        old !== undefined && old.status === c.status
          ? old.lastTransitionTime
          : now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    before.delete(c.type);
  }
  // Conditions other controllers or versions wrote stay.
  for (const c of before.values()) out.push(c);
  return out;
}

/** The Ready/Healthy pair every kind carries, derived from one outcome. */
export function healthConditions(ok: boolean, reason: string, message: string): ConditionInput[] {
  return [
    { type: "Healthy", status: ok ? "True" : "False", reason: ok ? "Healthy" : reason, message },
    { type: "Ready", status: ok ? "True" : "False", reason: ok ? "Ready" : reason, message },
  ];
}
