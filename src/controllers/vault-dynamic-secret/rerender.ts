// A referenced SecretTransformation was edited: the Secret's shape changes, the credentials do not.
// VSO answers such an edit with a forced sync — new credentials, a superseded lease, restarts.
// Keyport renders again from the response the destination already holds (`_raw`). Whoever could
// edit that `_raw` could edit the Secret itself, so trusting it grants nothing new.

import type { SecretObject } from "../../sync/destination.ts";
import { parseKeptRaw } from "../../sync/go-json.ts";
import type { OperatorContext } from "../context.ts";
import { vaultDynamicSecrets } from "../resources.ts";
import { writeStatusIfChanged } from "../status.ts";
import { renderDestinationData } from "../transformations.ts";
import { write } from "./issue.ts";
import type { Vds } from "./resource.ts";
import { restartTargets } from "./restarts.ts";

/**
 * Re-renders from the live Secret and records `digest`. False when it cannot be done without Vault:
 * no `_raw` (excludeRaw), or static-role credentials (a static read mints nothing, so reading again
 * is the simple and exact path).
 */
export async function rerenderFromLive(
  ctx: OperatorContext,
  vds: Vds,
  live: SecretObject,
  digest: string | undefined,
): Promise<boolean> {
  if (vds.spec.allowStaticCreds) return false;
  const kept = live.data?._raw;
  if (kept === undefined) return false;
  const fields = parseKeptRaw(Buffer.from(kept, "base64"));
  if (fields === undefined) return false;
  const data = renderDestinationData(ctx, vds.raw, vds.spec.destination.transformation, {
    fields,
    raw: fields,
  });
  const outcome = await write(ctx, vds, data, live);
  if (outcome !== "unchanged") {
    await ctx.events.normal(
      vds.raw,
      "SecretSynced",
      "Secret re-rendered for a changed SecretTransformation; credentials and lease kept",
    );
    await restartTargets(ctx, vds.raw, vds.spec.rolloutRestartTargets ?? []);
  }
  await recordDigest(ctx, vds, digest);
  return true;
}

/** Records the digest in status (and in the object in hand, so a status write later keeps it). */
export async function recordDigest(
  ctx: OperatorContext,
  vds: Vds,
  digest: string | undefined,
): Promise<void> {
  await writeStatusIfChanged(ctx.kube, vaultDynamicSecrets, vds.raw, { transformationDigest: digest });
  vds.status = { ...vds.status, transformationDigest: digest };
}
