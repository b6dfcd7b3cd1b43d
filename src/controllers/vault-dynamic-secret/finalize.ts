// Deletion: with `revoke: true` the lease (and any replaced lease still waiting for its rollout)
// is revoked before the finalizer goes. A failure is reported, never a reason to keep the resource.
import { parseVaultDynamicSecret } from "../../api/index.ts";
import type { OperatorContext, RawResource } from "../context.ts";
import { removeFinalizer } from "../finalizers.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { statusOf, vdsFinalizer } from "./resource.ts";
import { stateOf } from "./state.ts";
import { revokeAllSuperseded, revokeQuietly, storedSuperseded } from "./superseded-leases.ts";

export async function finalize(ctx: OperatorContext, raw: RawResource, signal: AbortSignal): Promise<void> {
  const parsed = parseVaultDynamicSecret(raw);
  const uid = raw.metadata?.uid ?? "";
  const state = stateOf(ctx);
  const leaseId = statusOf(raw).secretLease?.id ?? "";
  if (parsed.ok && parsed.value.spec.revoke && (leaseId !== "" || storedSuperseded(raw).length > 0)) {
    const spec = parsed.value.spec;
    try {
      const resolved = await ctx.clients.forConsumer(
        {
          namespace: raw.metadata?.namespace ?? "",
          vaultAuthRef: spec.vaultAuthRef,
          vaultNamespace: spec.namespace,
        },
        signal,
      );
      if (leaseId !== "") await revokeQuietly(ctx, raw, resolved.client, leaseId, "deleted");
      await revokeAllSuperseded(ctx, raw, spec, resolved.client);
    } catch (error) {
      // As VSO: a lease left behind is better than a resource that cannot be deleted.
      await ctx.events.warning(
        raw,
        "SecretLeaseRevoke",
        `Could not revoke lease ${leaseId}: ${(error as Error).message}`,
      );
    }
  }
  state.forced.delete(uid);
  ctx.lastWritten.delete(uid);
  ctx.metrics.leaseExpiry.remove({
    namespace: raw.metadata?.namespace ?? "",
    name: raw.metadata?.name ?? "",
  });
  await removeFinalizer(ctx.kube, vaultDynamicSecrets, raw, vdsFinalizer);
}
