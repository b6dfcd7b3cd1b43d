// When an identity's Vault token is replaced, the leases it created end with it: the resources
// that used it are reconciled at once, while the old credentials still work.
import { parentKeyOf } from "../../vault/index.ts";
import { keyOf, type OperatorContext, secretStore } from "../context.ts";
import { statusOf, vdsController } from "./resource.ts";

/**
 * A token was replaced (max TTL reached, found invalid): leases it created end with it, so every
 * VaultDynamicSecret that used it is reconciled now — it sees VaultTokenRotated and gets new
 * credentials while the old ones still work.
 */
export function onTokenReplaced(ctx: OperatorContext, parentKey: string): void {
  let resources = 0;
  for (const object of secretStore(ctx, vdsController).list()) {
    const cacheKey = statusOf(object).vaultClientMeta?.cacheKey;
    if (cacheKey === undefined || parentKeyOf(cacheKey) !== parentKey) continue;
    ctx.enqueue(vdsController, keyOf(object));
    resources++;
  }
  if (resources > 0) {
    ctx.log.info(
      { cacheKey: parentKey, resources },
      "Vault token replaced: the leases it created end with it, so its VaultDynamicSecrets get new credentials",
    );
  }
}
