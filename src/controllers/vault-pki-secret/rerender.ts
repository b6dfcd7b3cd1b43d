// A referenced SecretTransformation was edited: the Secret's shape changes, the certificate does not.
// VSO answers such an edit with a new certificate (and a rollout restart for nothing new); Keyport
// renders again from the certificate the destination already holds. The live data is trusted only
// because its HMAC matched status.secretMAC before this runs, so nothing a user wrote is re-signed
// into the Secret.
import type { VaultPKISecretSpec } from "../../api/index.ts";
import { pkiSecretFields, type SignedKey, withCaChainJoined } from "../../pki/index.ts";
import { parseKeptRaw } from "../../sync/go-json.ts";
import type { SecretBytes } from "../../sync/secret-data.ts";
import { pkiCertificateFromData } from "../../vault/index.ts";
import type { OperatorContext, RawResource } from "../context.ts";
import { renderDestinationData } from "../transformations.ts";

/**
 * The destination data rendered again from the certificate in `live`, or undefined when it cannot
 * be done without Vault: no `_raw` (excludeRaw), a sign-mode key that was not kept, or keystores
 * (they need the chain and the password, which only an issue gathers). Undefined means "issue".
 */
export function rerenderFromLive(
  ctx: OperatorContext,
  raw: RawResource,
  spec: VaultPKISecretSpec,
  live: SecretBytes,
): SecretBytes | undefined {
  if (spec.keystores?.pkcs12?.create === true) return undefined;
  const kept = live._raw;
  if (kept === undefined) return undefined;
  const data = parseKeptRaw(kept);
  if (data === undefined) return undefined;
  let certificate: ReturnType<typeof pkiCertificateFromData>;
  try {
    certificate = pkiCertificateFromData(data, "the destination's _raw");
  } catch {
    return undefined;
  }
  let signedKey: SignedKey | undefined;
  if (spec.privateKey !== undefined) {
    const privateKey = live.private_key && Buffer.from(live.private_key).toString("utf8");
    const privateKeyType = live.private_key_type && Buffer.from(live.private_key_type).toString("utf8");
    if (!privateKey || !privateKeyType) return undefined;
    signedKey = { privateKey, privateKeyType };
  }
  return withCaChainJoined(
    renderDestinationData(ctx, raw, spec.destination.transformation, {
      fields: pkiSecretFields(certificate, signedKey),
      raw: certificate.raw,
    }),
    certificate,
  );
}
