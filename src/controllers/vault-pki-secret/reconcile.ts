// VaultPKISecret: a certificate in a Secret, renewed only when its renewal time comes or the spec
// changes. Everything needed to decide lives in status, so a restart or a new leader issues
// nothing and writes nothing while certificates are valid — including `create: false`
// destinations, which are read directly instead of through the label-selected cache.
import { parseVaultPKISecret, type VaultPKISecretSpec } from "../../api/index.ts";
import {
  pkcs12KeystoreData,
  pkiSecretData,
  pkiSecretFields,
  planRenewal,
  withCaChainJoined,
} from "../../pki/index.ts";
import { type Action, awaitChange, requeueAfter } from "../../runtime/action.ts";
import { ReconcileError } from "../../runtime/errors.ts";
import { DestinationError, decodeData } from "../../sync/destination.ts";
import { macEquals, secretMac } from "../../sync/hmac.ts";
import { rolloutRestart } from "../../sync/rollout.ts";
import type { SecretBytes } from "../../sync/secret-data.ts";
import { transformationFailureReason } from "../../sync/transform.ts";
import { isVaultError, revokeCertificate } from "../../vault/index.ts";
import { type ConditionInput, healthConditions, setConditions } from "../conditions.ts";
import {
  type OperatorContext,
  type RawResource,
  type SecretKind,
  secretStore,
  splitKey,
} from "../context.ts";
import { ensureFinalizer, removeFinalizer } from "../finalizers.ts";
import { vaultPkiSecrets } from "../resources.ts";
import { freshStatus, writeStatusIfChanged } from "../status.ts";
import { parseDuration, requeueOnErrorMs } from "../timing.ts";
import { referencedTransformationsDigest, renderDestinationData } from "../transformations.ts";
import { obtainCertificate } from "./issue.ts";
import { certificateChain, keystorePassword, needsChain } from "./outputs.ts";
import { rerenderFromLive } from "./rerender.ts";

/** VSO's name, plural and all. */
export const pkiFinalizer = "vaultpkisecrets.secrets.hashicorp.com/finalizer";
const kind = "VaultPKISecret";

interface PkiStatus {
  serialNumber?: string;
  expiration?: number;
  lastGeneration?: number;
  lastRotation?: number;
  secretMAC?: string;
  transformationDigest?: string;
  conditions?: never;
}

type SyncReason =
  | "InitialSync"
  | "ResourceUpdated"
  | "InexistentDestination"
  | "SecretDataDrift"
  | "InRenewalWindow"
  | "TransformationUpdated";

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function renewalPlan(spec: VaultPKISecretSpec, status: PkiStatus, now: number) {
  return planRenewal(
    now,
    {
      notBefore: status.lastRotation ?? 0,
      notAfter: status.expiration ?? 0,
      serialNumber: status.serialNumber,
    },
    spec.expiryOffset
      ? { expiryOffsetMs: parseDuration(spec.expiryOffset) }
      : { renewBeforePercentage: spec.renewBeforePercentage },
  );
}

export async function reconcileVaultPKISecret(
  ctx: OperatorContext,
  key: string,
  signal: AbortSignal,
): Promise<Action> {
  const { namespace, name } = splitKey(key);
  const raw = secretStore(ctx, "vaultpkisecret").get(namespace, name);
  if (raw === undefined) return awaitChange();
  if (raw.metadata?.deletionTimestamp !== undefined) {
    await finalize(ctx, raw);
    return awaitChange();
  }
  const parsed = parseVaultPKISecret(raw);
  if (!parsed.ok) {
    await fail(ctx, raw, "InvalidConfiguration", parsed.error.message);
    return awaitChange();
  }
  const spec = parsed.value.spec;
  const status = freshStatus(raw) as PkiStatus;
  const generation = raw.metadata?.generation ?? 0;
  try {
    const live = await ctx.writer.current(namespace, spec.destination);
    const now = Date.now();
    let reason: SyncReason | undefined;
    if (!status.serialNumber) reason = "InitialSync";
    else if (status.lastGeneration !== generation) reason = "ResourceUpdated";
    else if (live === undefined) reason = "InexistentDestination";
    else if (!macEquals(secretMac(ctx.hmacKey, decodeData(live.data)), status.secretMAC))
      reason = "SecretDataDrift";
    else if (renewalPlan(spec, status, now).due) reason = "InRenewalWindow";
    const digest = referencedTransformationsDigest(ctx, raw, spec.destination.transformation);
    // Unknown before (a Secret VSO or an older Keyport wrote): recorded below, acted on next time.
    if (reason === undefined && digest !== status.transformationDigest && status.transformationDigest) {
      const data = live === undefined ? undefined : rerenderFromLive(ctx, raw, spec, decodeData(live.data));
      if (data !== undefined) return await rerender(ctx, raw, spec, data, digest);
      reason = "TransformationUpdated";
    }
    if (reason === undefined) {
      // Valid and in place: no Vault call, no write.
      const plan = renewalPlan(spec, status, now);
      ctx.metrics.certificateExpiry.set({ namespace, name }, status.expiration ?? 0);
      ctx.metrics.certificateRenewal.set({ namespace, name }, Math.floor(plan.renewAt / 1000));
      await writeStatusIfChanged(ctx.kube, vaultPkiSecrets, raw, {
        notAfter: status.expiration ? rfc3339(status.expiration * 1000) : undefined,
        renewAt: rfc3339(plan.renewAt),
        ...(digest === undefined ? {} : { transformationDigest: digest }),
      });
      return requeueAfter(plan.requeueAfterMs);
    }
    if (live === undefined && !spec.destination.create) {
      throw new DestinationError(
        "InexistentDestination",
        `destination Secret ${namespace}/${spec.destination.name} does not exist and create is false`,
      );
    }
    return await issue(ctx, raw, spec, status, reason, live?.data, signal);
  } catch (error) {
    // Cut short by shutdown or lost leadership: not the object's failure (see VaultStaticSecret).
    if (signal.aborted) throw error;
    // Vault's refusals are VSO's VaultClientError; the message carries Vault's own words.
    const reason =
      transformationFailureReason(error) ??
      (isVaultError(error)
        ? "VaultClientError"
        : ((error as { reason?: string }).reason ?? "SecretSyncError"));
    const message = (error as Error).message;
    ctx.metrics.certificateIssuanceErrors.inc({ reason });
    await fail(ctx, raw, reason, message);
    if (reason === "InexistentDestination") return requeueAfter(requeueOnErrorMs);
    if (["TransformationError", "SecretDataBuilderError", "UnsupportedPrivateKey"].includes(reason))
      return awaitChange();
    throw new ReconcileError(reason, message, { cause: error });
  }
}

async function issue(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultPKISecretSpec,
  status: PkiStatus,
  reason: SyncReason,
  live: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<Action> {
  const namespace = raw.metadata?.namespace ?? "";
  const name = raw.metadata?.name ?? "";
  // Before Vault is asked: a certificate issued without its keystore would be wasted.
  const password = await keystorePassword(ctx, namespace, spec);
  const started = performance.now();
  const resolved = await ctx.clients.forConsumer(
    { namespace, vaultAuthRef: spec.vaultAuthRef, vaultNamespace: spec.namespace },
    signal,
  );
  const { certificate, signedKey } = await obtainCertificate(resolved.client, spec, live, signal);
  ctx.metrics.certificateIssuanceSeconds.observe((performance.now() - started) / 1000);
  const chain = needsChain(spec)
    ? await certificateChain(resolved.client, spec, certificate, signal)
    : undefined;
  const transformation = spec.destination.transformation;
  const templated =
    Object.keys(transformation?.templates ?? {}).length > 0 ||
    (transformation?.transformationRefs ?? []).length > 0;
  let data: SecretBytes = templated
    ? withCaChainJoined(
        renderDestinationData(ctx, raw, transformation, {
          fields: pkiSecretFields(certificate, signedKey),
          raw: certificate.raw,
        }),
        certificate,
      )
    : pkiSecretData(certificate, {
        destinationType: spec.destination.type,
        signedKey,
        filter: {
          includes: transformation?.includes,
          excludes: transformation?.excludes,
          excludeRaw: transformation?.excludeRaw || ctx.settings.globalExcludeRaw,
        },
        chainLayout: spec.chainLayout,
        chain,
      });
  if (password !== undefined && chain !== undefined) {
    const key = signedKey?.privateKey ?? certificate.private_key ?? "";
    data = { ...data, ...pkcs12KeystoreData(chain, key, password) };
  }
  const mac = secretMac(ctx.hmacKey, data);
  const uid = raw.metadata?.uid ?? "";
  ctx.lastWritten.set(uid, mac);
  await ctx.writer.write(
    { apiVersion: "secrets.hashicorp.com/v1beta1", kind, name, namespace, uid },
    spec.destination,
    data,
  );
  const previousSerial = status.serialNumber;
  const conditions: ConditionInput[] = [
    {
      type: "SecretSynced",
      status: "True",
      reason: "SecretSynced",
      message: `certificate ${certificate.serial_number} (${reason})`,
    },
    ...healthConditions(true, "Healthy", "Certificate issued"),
  ];
  ctx.metrics.certificateRenewals.inc({ reason });
  await ctx.events.normal(
    raw,
    previousSerial ? "SecretRotated" : "SecretSynced",
    `Certificate ${certificate.serial_number} issued (${reason}), expires ${rfc3339(certificate.expiration * 1000)}`,
  );
  if (previousSerial) {
    conditions.push(...(await restartTargets(ctx, raw, spec)));
    // The old certificate is revoked only after its replacement is in place (and workloads restarted).
    if (spec.revoke && previousSerial !== certificate.serial_number) {
      try {
        await revokeCertificate(resolved.client, { mount: spec.mount, serialNumber: previousSerial, signal });
      } catch (error) {
        await ctx.events.warning(
          raw,
          "CertificateRevocationError",
          `revoking ${previousSerial}: ${(error as Error).message}`,
        );
      }
    }
  }
  const now = Date.now();
  const next: PkiStatus = {
    serialNumber: certificate.serial_number,
    expiration: certificate.expiration,
    lastRotation: Math.floor(now / 1000),
  };
  const plan = renewalPlan(spec, next, now);
  await ensureFinalizer(ctx.kube, vaultPkiSecrets, raw, pkiFinalizer);
  await writeStatusIfChanged(ctx.kube, vaultPkiSecrets, raw, {
    ...next,
    lastGeneration: raw.metadata?.generation ?? 0,
    secretMAC: mac,
    transformationDigest: referencedTransformationsDigest(ctx, raw, spec.destination.transformation),
    valid: true,
    error: "",
    notAfter: rfc3339(certificate.expiration * 1000),
    renewAt: rfc3339(plan.renewAt),
    conditions: setConditions(freshStatus(raw).conditions as never, conditions, raw.metadata?.generation),
  });
  ctx.metrics.certificateExpiry.set({ namespace, name }, certificate.expiration);
  ctx.metrics.certificateRenewal.set({ namespace, name }, Math.floor(plan.renewAt / 1000));
  return requeueAfter(Math.max(plan.requeueAfterMs, 1_000));
}

/** Rollout restarts of the spec's targets; a failure is an Event and a condition, never an error. */
async function restartTargets(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultPKISecretSpec,
): Promise<ConditionInput[]> {
  const namespace = raw.metadata?.namespace ?? "";
  const conditions: ConditionInput[] = [];
  for (const target of spec.rolloutRestartTargets ?? []) {
    try {
      await rolloutRestart(ctx.kube, namespace, target);
      ctx.metrics.rolloutRestarts.inc({ result: "triggered" });
      await ctx.events.normal(
        raw,
        "RolloutRestartTriggered",
        `Rollout restart triggered for ${target.kind} ${target.name}`,
      );
    } catch (error) {
      ctx.metrics.rolloutRestarts.inc({ result: "failed" });
      const message = `Rollout restart of ${target.kind} ${target.name} failed: ${(error as Error).message}`;
      await ctx.events.warning(raw, "RolloutRestartFailed", message);
      conditions.push({ type: "RolloutRestart", status: "False", reason: "RolloutRestartFailed", message });
    }
  }
  return conditions;
}

/**
 * The same certificate under a changed SecretTransformation: write the re-rendered data, restart
 * the workloads that read it (their files changed), and record the digest. No Vault call.
 */
async function rerender(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultPKISecretSpec,
  data: SecretBytes,
  digest: string | undefined,
): Promise<Action> {
  const namespace = raw.metadata?.namespace ?? "";
  const name = raw.metadata?.name ?? "";
  const status = freshStatus(raw) as PkiStatus;
  const mac = secretMac(ctx.hmacKey, data);
  const uid = raw.metadata?.uid ?? "";
  const conditions: ConditionInput[] = [
    {
      type: "SecretSynced",
      status: "True",
      reason: "SecretSynced",
      message: `certificate ${status.serialNumber} re-rendered (TransformationUpdated)`,
    },
    ...healthConditions(true, "Healthy", "Certificate re-rendered"),
  ];
  if (!macEquals(mac, status.secretMAC)) {
    ctx.lastWritten.set(uid, mac);
    await ctx.writer.write(
      { apiVersion: "secrets.hashicorp.com/v1beta1", kind, name, namespace, uid },
      spec.destination,
      data,
    );
    await ctx.events.normal(
      raw,
      "SecretSynced",
      `Secret re-rendered for a changed SecretTransformation; certificate ${status.serialNumber} kept`,
    );
    conditions.push(...(await restartTargets(ctx, raw, spec)));
  }
  const plan = renewalPlan(spec, status, Date.now());
  await writeStatusIfChanged(ctx.kube, vaultPkiSecrets, raw, {
    secretMAC: mac,
    transformationDigest: digest,
    valid: true,
    error: "",
    conditions: setConditions(freshStatus(raw).conditions as never, conditions, raw.metadata?.generation),
  });
  return requeueAfter(Math.max(plan.requeueAfterMs, 1_000));
}

/** VSO's order: the finalizer goes first, then revoke and clear are attempted (errors only logged). */
async function finalize(ctx: OperatorContext, raw: RawResource): Promise<void> {
  if (!(raw.metadata?.finalizers ?? []).includes(pkiFinalizer)) return;
  await removeFinalizer(ctx.kube, vaultPkiSecrets, raw, pkiFinalizer);
  const namespace = raw.metadata?.namespace ?? "";
  ctx.metrics.certificateExpiry.remove({ namespace, name: raw.metadata?.name ?? "" });
  ctx.metrics.certificateRenewal.remove({ namespace, name: raw.metadata?.name ?? "" });
  const parsed = parseVaultPKISecret(raw);
  if (!parsed.ok) return;
  const spec = parsed.value.spec;
  const serial = (freshStatus(raw) as PkiStatus).serialNumber;
  if (spec.revoke && serial) {
    try {
      const resolved = await ctx.clients.forConsumer({
        namespace,
        vaultAuthRef: spec.vaultAuthRef,
        vaultNamespace: spec.namespace,
      });
      await revokeCertificate(resolved.client, { mount: spec.mount, serialNumber: serial });
    } catch (error) {
      ctx.log.warn(
        { resource: `${namespace}/${raw.metadata?.name}`, err: (error as Error).message },
        "revoke on deletion failed",
      );
    }
  }
  if (spec.clear && !spec.destination.create) {
    try {
      const live = await ctx.writer.read(namespace, spec.destination.name);
      if (live !== undefined) {
        await ctx.kube.put(`/api/v1/namespaces/${namespace}/secrets/${spec.destination.name}`, {
          ...live,
          data: {},
        });
      }
    } catch (error) {
      ctx.log.warn(
        { resource: `${namespace}/${raw.metadata?.name}`, err: (error as Error).message },
        "clear on deletion failed",
      );
    }
  }
}

async function fail(ctx: OperatorContext, raw: RawResource, reason: string, message: string): Promise<void> {
  await ctx.events.warning(raw, reason, message);
  const status = freshStatus(raw) as PkiStatus;
  ctx.metrics.syncFailures.inc({ kind, reason });
  await writeStatusIfChanged(ctx.kube, vaultPkiSecrets, raw, {
    // Required by the schema; a failure advances neither.
    lastGeneration: status.lastGeneration ?? 0,
    lastRotation: status.lastRotation ?? 0,
    valid: false,
    error: message,
    conditions: setConditions(
      status.conditions,
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

export const vaultPkiSecretKind: SecretKind = {
  name: "vaultpkisecret",
  resource: vaultPkiSecrets,
  reconcile: reconcileVaultPKISecret,
};
