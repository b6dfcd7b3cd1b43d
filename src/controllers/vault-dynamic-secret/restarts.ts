// Rollout restarts after new credentials were written, with VSO's Events and condition. Which
// targets were really restarted matters here: only their rollout may release the old lease.
import { type RolloutRestartTarget, rolloutRestart } from "../../sync/rollout.ts";
import type { ConditionInput } from "../conditions.ts";
import type { OperatorContext, RawResource } from "../context.ts";

export interface RestartOutcome {
  restarted: RolloutRestartTarget[];
  failed: RolloutRestartTarget[];
  conditions: ConditionInput[];
}

export async function restartTargets(
  ctx: OperatorContext,
  raw: RawResource,
  targets: readonly RolloutRestartTarget[],
): Promise<RestartOutcome> {
  const outcome: RestartOutcome = { restarted: [], failed: [], conditions: [] };
  const namespace = raw.metadata?.namespace ?? "";
  const failures: string[] = [];
  for (const target of targets) {
    const what = `${target.kind} ${target.name}`;
    try {
      await rolloutRestart(ctx.kube, namespace, target);
      outcome.restarted.push(target);
      ctx.metrics.rolloutRestarts.inc({ result: "triggered" });
      await ctx.events.normal(raw, "RolloutRestartTriggered", `Rollout restart triggered for ${what}`);
    } catch (error) {
      outcome.failed.push(target);
      ctx.metrics.rolloutRestarts.inc({ result: "failed" });
      const message = `Rollout restart of ${what} failed: ${(error as Error).message}`;
      await ctx.events.warning(raw, "RolloutRestartFailed", message);
      failures.push(message);
    }
  }
  if (failures.length > 0) {
    outcome.conditions.push({
      type: "RolloutRestart",
      status: "False",
      reason: "RolloutRestartFailed",
      message: failures.join("; "),
    });
  } else if (outcome.restarted.length > 0) {
    outcome.conditions.push({
      type: "RolloutRestart",
      status: "True",
      reason: "RolloutRestartTriggered",
      message: `Rollout restart triggered for ${outcome.restarted.map((t) => `${t.kind} ${t.name}`).join(", ")}`,
    });
  }
  return outcome;
}
