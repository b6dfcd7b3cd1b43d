// VaultAuth: merge its VaultAuthGlobal, check the VaultConnection exists and the method is
// allowed, and report it. Like VSO it does not log in (that happens per consumer namespace);
// unlike VSO, a change re-syncs the resources that use it at once, through the reference index.
import { createHash } from "node:crypto";
import { parseVaultAuth } from "../../api/index.ts";
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import { enqueueSecretsByIndex, type OperatorContext, splitKey } from "../context.ts";
import { ensureFinalizer, removeFinalizer } from "../finalizers.ts";
import { vaultAuths } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { horizonWithJitter, requeueOnErrorMs } from "../timing.ts";

export const authFinalizer = "vaultauth.secrets.hashicorp.com/finalizer";

export async function reconcileVaultAuth(ctx: OperatorContext, key: string): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = ctx.stores.vaultAuths.get(namespace, name);
  const dependents = () => enqueueSecretsByIndex(ctx, "auth", key);
  if (raw === undefined) {
    dependents();
    return awaitChange();
  }
  const uid = raw.metadata?.uid ?? "";
  if (raw.metadata?.deletionTimestamp !== undefined) {
    await ctx.cache.prune((entry) => entry.identity.authUID === uid);
    await removeFinalizer(ctx.kube, vaultAuths, raw, authFinalizer);
    ctx.metrics.resourceStatus.remove({ controller: "vaultauth", name, namespace });
    dependents();
    return awaitChange();
  }
  const generation = raw.metadata?.generation ?? 0;
  const parsed = parseVaultAuth(raw);
  let valid = false;
  let error = "";
  const conditions: ConditionInput[] = [];
  if (!parsed.ok) {
    error = parsed.error.message;
  } else {
    try {
      // The auth's own namespace is always allowed to use it: resolving as a consumer there checks
      // the merge, the method restriction and the connection, with VSO's rules.
      ctx.clients.resolve({ namespace, vaultAuthRef: name });
      valid = true;
      if (parsed.value.spec.vaultAuthGlobalRef !== undefined) {
        conditions.push({
          type: "Available",
          status: "True",
          reason: "VaultAuthGlobalRef",
          message: "VaultAuthGlobal merged",
        });
      }
    } catch (e) {
      error = (e as Error).message;
      if (parsed.value.spec.vaultAuthGlobalRef !== undefined && /VaultAuthGlobal/.test(error)) {
        conditions.push({ type: "Available", status: "False", reason: "VaultAuthGlobalRef", message: error });
      }
    }
  }
  conditions.push(...healthConditions(valid, "InvalidConfiguration", valid ? "VaultAuth accepted" : error));
  const specHash = createHash("sha256")
    .update(JSON.stringify(raw.spec ?? {}))
    .digest("hex");
  const status = (raw.status ?? {}) as Record<string, unknown>;
  if (status.specHash !== specHash) {
    // A spec change means new credentials: tokens of the old generation are revoked.
    await ctx.cache.prune(
      (entry) => entry.identity.authUID === uid && entry.identity.authGeneration !== generation,
    );
  }
  const wrote = await writeStatusIfChanged(ctx.kube, vaultAuths, raw, {
    valid,
    error,
    specHash,
    conditions: setConditions(status.conditions as never, conditions, generation),
  });
  if (wrote) {
    if (valid) await ctx.events.normal(raw, "Accepted", "VaultAuth accepted");
    else await ctx.events.warning(raw, "InvalidConfiguration", error);
    dependents();
  }
  if (valid) await ensureFinalizer(ctx.kube, vaultAuths, raw, authFinalizer);
  ctx.metrics.resourceStatus.set({ controller: "vaultauth", name, namespace }, valid ? 1 : 0);
  return valid ? awaitChange() : requeueAfter(horizonWithJitter(requeueOnErrorMs));
}
