// SecretTransformation: check that every template parses, report it, and re-sync every secret
// resource that references it (through the "transformation" index, never a scan).
import { parseSecretTransformation } from "../../api/index.ts";
import { type Action, awaitChange } from "../../runtime/action.ts";
import { validateSecretTransformation } from "../../sync/transform.ts";
import { healthConditions, setConditions } from "../conditions.ts";
import { enqueueSecretsByIndex, type OperatorContext, splitKey } from "../context.ts";
import { secretTransformations } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";

export async function reconcileSecretTransformation(ctx: OperatorContext, key: string): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = ctx.stores.secretTransformations.get(namespace, name);
  if (raw === undefined || raw.metadata?.deletionTimestamp !== undefined) {
    enqueueSecretsByIndex(ctx, "transformation", key);
    return awaitChange();
  }
  const parsed = parseSecretTransformation(raw);
  const result = parsed.ok
    ? validateSecretTransformation(parsed.value.spec, { namespace, name })
    : { valid: false, error: parsed.error.message };
  const status = raw.status ?? {};
  const message = result.valid ? "SecretTransformation accepted" : result.error;
  const wrote = await writeStatusIfChanged(ctx.kube, secretTransformations, raw, {
    valid: result.valid,
    error: result.error,
    conditions: setConditions(
      status.conditions as never,
      healthConditions(result.valid, "InvalidConfiguration", message),
      raw.metadata?.generation,
    ),
  });
  if (wrote && !result.valid) await ctx.events.warning(raw, "InvalidConfiguration", result.error);
  ctx.metrics.resourceStatus.set(
    { controller: "secrettransformation", name, namespace },
    result.valid ? 1 : 0,
  );
  // Every change of the templates re-renders the Secrets built from them (an invalid one makes
  // them report it and keep their last good data).
  enqueueSecretsByIndex(ctx, "transformation", key);
  return awaitChange();
}
