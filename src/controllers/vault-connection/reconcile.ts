// VaultConnection: build (or refresh) the transport, ping Vault unauthenticated (sys/seal-status),
// report the result. Re-checked every minute so a rotated client certificate or CA is picked up
// and health stays current; the status is written only when it changes.
import { parseVaultConnection } from "../../api/index.ts";
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import { pingVault } from "../../vault/index.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import type { OperatorContext } from "../context.ts";
import { enqueueSecretsByIndex, splitKey } from "../context.ts";
import { ensureFinalizer, removeFinalizer } from "../finalizers.ts";
import { vaultConnections } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { horizonWithJitter, requeueOnErrorMs } from "../timing.ts";

export const connectionFinalizer = "vaultconnection.secrets.hashicorp.com/finalizer";
const recheckMs = 60_000;

export async function reconcileVaultConnection(ctx: OperatorContext, key: string): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = ctx.stores.vaultConnections.get(namespace, name);
  if (raw === undefined) return awaitChange();
  const uid = raw.metadata?.uid ?? "";
  if (raw.metadata?.deletionTimestamp !== undefined) {
    ctx.pool.forget(uid);
    await ctx.cache.prune((entry) => entry.identity.connectionUID === uid);
    await removeFinalizer(ctx.kube, vaultConnections, raw, connectionFinalizer);
    ctx.metrics.resourceStatus.remove({ controller: "vaultconnection", name, namespace });
    return awaitChange();
  }
  const generation = raw.metadata?.generation ?? 0;
  const parsed = parseVaultConnection(raw);
  let conditions: ConditionInput[];
  let valid = false;
  let changed = false;
  if (!parsed.ok) {
    conditions = [
      { type: "VaultClient", status: "False", reason: "InvalidConfiguration", message: parsed.error.message },
      ...healthConditions(false, "InvalidConfiguration", parsed.error.message),
    ];
  } else {
    try {
      const refreshed = await ctx.pool.refresh({
        metadata: { namespace, name, uid, generation },
        spec: parsed.value.spec,
      });
      changed = refreshed.changed;
      const ping = await pingVault(refreshed.http);
      const healthy = ping.initialized && !ping.sealed;
      const message = healthy
        ? `Vault ${ping.version} is reachable`
        : `Vault ${ping.version} is ${ping.sealed ? "sealed" : "not initialized"}`;
      valid = healthy;
      conditions = [
        {
          type: "VaultClient",
          status: "True",
          reason: "Accepted",
          message: "Vault client configuration accepted",
        },
        {
          type: "VaultPing",
          status: healthy ? "True" : "False",
          reason: healthy ? "Accepted" : "VaultSealed",
          message,
        },
        ...healthConditions(healthy, "VaultSealed", message),
      ];
    } catch (error) {
      const reason = (error as { reason?: string }).reason ?? "VaultClientConfigError";
      const message = (error as Error).message;
      conditions = [
        {
          type: "VaultClient",
          status: reason === "VaultClientConfigError" || reason === "InvalidConfiguration" ? "False" : "True",
          reason,
          message,
        },
        { type: "VaultPing", status: "False", reason, message },
        ...healthConditions(false, reason, message),
      ];
    }
  }
  // Old-generation clients hold tokens for an address or TLS setup that no longer applies.
  await ctx.cache.prune(
    (entry) => entry.identity.connectionUID === uid && entry.identity.connectionGeneration !== generation,
  );
  const status = (raw.status ?? {}) as Record<string, unknown>;
  const wasValid = status.valid === true;
  const wrote = await writeStatusIfChanged(ctx.kube, vaultConnections, raw, {
    valid,
    conditions: setConditions(status.conditions as never, conditions, generation),
  });
  if (wrote && valid !== wasValid) {
    if (valid) await ctx.events.normal(raw, "Accepted", "VaultConnection accepted");
    else await ctx.events.warning(raw, "InvalidConfiguration", conditions[0]?.message ?? "invalid");
  }
  if (valid) await ensureFinalizer(ctx.kube, vaultConnections, raw, connectionFinalizer);
  ctx.metrics.resourceStatus.set({ controller: "vaultconnection", name, namespace }, valid ? 1 : 0);
  // Consumers retry on their own backoff; a healed or re-keyed connection nudges them now.
  if (changed || (wrote && valid !== wasValid)) {
    for (const auth of ctx.stores.vaultAuths.byIndex("connection", `${namespace}/${name}`)) {
      const authKey = `${auth.metadata?.namespace}/${auth.metadata?.name}`;
      ctx.enqueue("vaultauth", authKey);
      // A VaultAuth passes a nudge on only when its own status changes, which healing the
      // connection does not do: wake the secrets waiting out their backoff here.
      if (valid && !wasValid) {
        enqueueSecretsByIndex(ctx, "auth", authKey);
      }
    }
  }
  return requeueAfter(valid ? horizonWithJitter(recheckMs) : horizonWithJitter(requeueOnErrorMs));
}
