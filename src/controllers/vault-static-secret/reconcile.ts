// VaultStaticSecret: read a KV secret, render the destination data, and write it only when the
// destination differs. A steady state costs one Vault read per refresh and no API writes.
import { parseVaultStaticSecret, type VaultStaticSecretSpec } from "../../api/index.ts";
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import { ReconcileError } from "../../runtime/errors.ts";
import { DestinationError, decodeData } from "../../sync/destination.ts";
import type { GoJsonValue } from "../../sync/go-json.ts";
import { secretMac } from "../../sync/hmac.ts";
import { rolloutRestart } from "../../sync/rollout.ts";
import { SecretDataError } from "../../sync/secret-data.ts";
import { transformationFailureReason } from "../../sync/transform.ts";
import { isVaultError, readKvSecret } from "../../vault/index.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import {
  keyOf,
  type OperatorContext,
  type RawResource,
  type SecretKind,
  secretStore,
  splitKey,
} from "../context.ts";
import { ensureFinalizer, removeFinalizer } from "../finalizers.ts";
import { vaultStaticSecrets } from "../resources.ts";
import { freshStatus, writeStatusIfChanged } from "../status.ts";
import { defaultStaticRefreshMs, horizonWithJitter, parseDuration, requeueOnErrorMs } from "../timing.ts";
import { renderDestinationData } from "../transformations.ts";
import { kvFingerprint, watchedByChangeDetector } from "./change-detector.ts";

export const vssFinalizer = "vaultstaticsecret.secrets.hashicorp.com/finalizer";
const kind = "VaultStaticSecret";

interface Parsed {
  raw: RawResource;
  metadata: { namespace: string; name: string; uid: string; generation: number };
  spec: VaultStaticSecretSpec;
  status: Record<string, unknown>;
}

export async function reconcileVaultStaticSecret(
  ctx: OperatorContext,
  key: string,
  signal: AbortSignal,
): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = secretStore(ctx, "vaultstaticsecret").get(namespace, name);
  if (raw === undefined) {
    return awaitChange();
  }
  if (raw.metadata?.deletionTimestamp !== undefined) {
    await removeFinalizer(ctx.kube, vaultStaticSecrets, raw, vssFinalizer);
    return awaitChange();
  }
  const parsed = parseVaultStaticSecret(raw);
  if (!parsed.ok) {
    await fail(ctx, raw, "InvalidConfiguration", parsed.error.message);
    ctx.metrics.syncFailures.inc({ kind, reason: "InvalidConfiguration" });
    return awaitChange();
  }
  const vss: Parsed = {
    raw,
    metadata: {
      namespace,
      name,
      uid: raw.metadata?.uid ?? "",
      generation: raw.metadata?.generation ?? 0,
    },
    spec: parsed.value.spec,
    status: freshStatus(raw),
  };
  try {
    return await sync(ctx, vss, signal);
  } catch (error) {
    // A reconcile cut short by shutdown or lost leadership is not the object's failure: its
    // status stays as the last completed reconcile left it, and the next leader redoes the work.
    if (signal.aborted) throw error;
    const reason =
      transformationFailureReason(error) ??
      (error instanceof ReconcileError ||
      error instanceof DestinationError ||
      error instanceof SecretDataError
        ? error.reason
        : isVaultError(error)
          ? "VaultClientError"
          : "SecretSyncError");
    const message = (error as Error).message;
    ctx.kvSynced.delete(key);
    await fail(ctx, raw, reason, message);
    ctx.metrics.syncFailures.inc({ kind, reason });
    if (reason === "InexistentDestination") return requeueAfter(requeueOnErrorMs);
    // Fixed only by editing a template or a SecretTransformation, which re-enqueues this object.
    if (reason === "TransformationError" || reason === "SecretDataBuilderError") return awaitChange();
    throw new ReconcileError(reason, message, { cause: error });
  }
}

async function sync(ctx: OperatorContext, vss: Parsed, signal: AbortSignal): Promise<Action> {
  const { spec, metadata } = vss;
  const resolved = await ctx.clients.forConsumer(
    { namespace: metadata.namespace, vaultAuthRef: spec.vaultAuthRef, vaultNamespace: spec.namespace },
    signal,
  );
  const secret = await readKvSecret(resolved.client, {
    type: spec.type,
    mount: spec.mount,
    path: spec.path,
    ...(spec.type === "kv-v2" && spec.version ? { version: spec.version } : {}),
    signal,
  });
  const data = renderDestinationData(ctx, vss.raw, spec.destination.transformation, {
    fields: secret.data as Record<string, GoJsonValue>,
    raw: secret.raw as GoJsonValue,
  });
  const mac = secretMac(ctx.hmacKey, data);
  const version = secret.metadata;
  if (version !== undefined) {
    ctx.kvSynced.set(
      keyOf(vss.raw),
      kvFingerprint(version.version, version.deletion_time, version.destroyed),
    );
  }
  const owner = {
    apiVersion: "secrets.hashicorp.com/v1beta1",
    kind,
    name: metadata.name,
    namespace: metadata.namespace,
    uid: metadata.uid,
  };
  ctx.lastWritten.set(metadata.uid, mac);
  const outcome = await ctx.writer.write(owner, spec.destination, data);
  const previousMac = typeof vss.status.secretMAC === "string" ? vss.status.secretMAC : "";
  const conditions: ConditionInput[] = [
    { type: "SecretSynced", status: "True", reason: "SecretSynced", message: "Secret synced" },
    ...healthConditions(true, "Healthy", "Secret synced"),
  ];
  if (outcome !== "unchanged") {
    ctx.metrics.syncs.inc({ kind, result: "written" });
    await ctx.events.normal(vss.raw, previousMac === "" ? "SecretSynced" : "SecretRotated", "Secret synced");
    // VSO: restart only after a change of data that was synced before, and only with HMAC on.
    if (spec.hmacSecretData && previousMac !== "" && previousMac !== mac) {
      conditions.push(...(await restartTargets(ctx, vss)));
    }
  } else {
    ctx.metrics.syncs.inc({ kind, result: "unchanged" });
  }
  // Independent writes (metadata and the status subresource; the finalizer is guarded by the list
  // it saw, not the resourceVersion), so they go together: one round trip less per first sync.
  await Promise.all([
    ensureFinalizer(ctx.kube, vaultStaticSecrets, vss.raw, vssFinalizer),
    writeStatusIfChanged(ctx.kube, vaultStaticSecrets, vss.raw, {
      lastGeneration: metadata.generation,
      secretMAC: spec.hmacSecretData ? mac : undefined,
      vaultClientMeta: {
        cacheKey: resolved.cacheKey,
        ...(resolved.clientId ? { id: resolved.clientId } : {}),
      },
      conditions: setConditions(vss.status.conditions as never, conditions, metadata.generation),
    }),
  ]);
  if (spec.refreshAfter) return requeueAfter(horizonWithJitter(parseDuration(spec.refreshAfter)));
  // The change detector watches this secret's version in Vault and enqueues it when it moves (or,
  // without metadata permission, re-reads it every few intervals): VSO's once-a-minute poll would
  // only repeat, at 60 times the cost, what the detector already knows.
  if (watchedByChangeDetector(spec)) return awaitChange();
  return spec.hmacSecretData ? requeueAfter(horizonWithJitter(defaultStaticRefreshMs)) : awaitChange();
}

async function restartTargets(ctx: OperatorContext, vss: Parsed): Promise<ConditionInput[]> {
  const out: ConditionInput[] = [];
  for (const target of vss.spec.rolloutRestartTargets ?? []) {
    try {
      await rolloutRestart(ctx.kube, vss.metadata.namespace, target);
      ctx.metrics.rolloutRestarts.inc({ result: "triggered" });
      await ctx.events.normal(
        vss.raw,
        "RolloutRestartTriggered",
        `Rollout restart triggered for ${target.kind} ${target.name}`,
      );
      out.push({
        type: "RolloutRestart",
        status: "True",
        reason: "RolloutRestartTriggered",
        message: `${target.kind} ${target.name}`,
      });
    } catch (error) {
      ctx.metrics.rolloutRestarts.inc({ result: "failed" });
      const message = `Rollout restart of ${target.kind} ${target.name} failed: ${(error as Error).message}`;
      await ctx.events.warning(vss.raw, "RolloutRestartFailed", message);
      out.push({ type: "RolloutRestart", status: "False", reason: "RolloutRestartFailed", message });
    }
  }
  return out;
}

async function fail(ctx: OperatorContext, raw: RawResource, reason: string, message: string): Promise<void> {
  await ctx.events.warning(raw, reason, message);
  const status = freshStatus(raw);
  await writeStatusIfChanged(ctx.kube, vaultStaticSecrets, raw, {
    // Required by the schema; a failure does not advance it.
    lastGeneration: typeof status.lastGeneration === "number" ? status.lastGeneration : 0,
    conditions: setConditions(
      status.conditions as never,
      [
        { type: "SecretSynced", status: "False", reason, message },
        ...healthConditions(false, reason, message),
      ],
      raw.metadata?.generation,
    ),
  }).catch((error: unknown) => {
    ctx.log.warn(
      { err: (error as Error).message, resource: `${raw.metadata?.namespace}/${raw.metadata?.name}` },
      "status update failed",
    );
  });
}

/** The destination's current MAC, to tell our own writes from drift without reading Vault. */
export function destinationMac(ctx: OperatorContext, data: Record<string, string> | undefined): string {
  return secretMac(ctx.hmacKey, decodeData(data));
}

export const vaultStaticSecretKind: SecretKind = {
  name: "vaultstaticsecret",
  resource: vaultStaticSecrets,
  reconcile: reconcileVaultStaticSecret,
};
