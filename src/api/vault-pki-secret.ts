// VaultPKISecret: a certificate from Vault's PKI engine in a Kubernetes Secret, renewed before expiry.
// Keyport adds an in-cluster private key (`privateKey`: Vault only signs a CSR) and a relative renewal
// point (`renewBeforePercentage`).
import { z } from "zod";
import { defineKind, type Resource } from "./kind.ts";
import { syncedHealthReadyColumns } from "./printer-columns.ts";
import { int64, isSet, withCelRules } from "./schema-annotations.ts";
import {
  conditionsSchema,
  destinationSchema,
  duration,
  durationWithDays,
  rolloutRestartTargetsSchema,
  stringList,
} from "./shared.ts";

export const privateKeyAlgorithms = ["RSA", "ECDSA", "Ed25519"] as const;
export const privateKeyEncodings = ["PKCS1", "PKCS8"] as const;
export const privateKeyRotationPolicies = ["Always", "Never"] as const;
export type PrivateKeyAlgorithm = (typeof privateKeyAlgorithms)[number];
export type PrivateKeyEncoding = (typeof privateKeyEncodings)[number];
export type PrivateKeyRotationPolicy = (typeof privateKeyRotationPolicies)[number];

/** Key sizes Vault's PKI engine signs; the first is what Keyport generates when size is unset. */
export const privateKeySizes = {
  RSA: [2048, 3072, 4096, 8192],
  ECDSA: [256, 224, 384, 521],
} as const;

function celIntList(values: readonly number[]): string {
  return `[${[...values].sort((a, b) => a - b).join(", ")}]`;
}

// Keyport extension
const privateKeyFields = z.object({
  algorithm: z
    .enum(privateKeyAlgorithms)
    .default("RSA")
    .describe("Key algorithm. Vault's role must allow it (key_type)."),
  size: z
    .int()
    .optional()
    .describe(
      "Key size in bits: RSA 2048 (default), 3072, 4096 or 8192; ECDSA 256 (default), 224, 384 or 521. Ignored for Ed25519.",
    ),
  encoding: z
    .enum(privateKeyEncodings)
    .optional()
    .describe(
      "Encoding of tls.key: PKCS1 (SEC 1 for ECDSA) or PKCS8. Unset: PKCS1 for RSA and ECDSA, PKCS8 for Ed25519.",
    ),
  // Always matches both VSO (Vault makes a new key at every issue) and cert-manager's default since 1.18.
  rotationPolicy: z
    .enum(privateKeyRotationPolicies)
    .default("Always")
    .describe("Always: a new key for every certificate. Never: reuse the key in the destination Secret."),
});

type PrivateKeyFields = z.output<typeof privateKeyFields>;

export const privateKeySchema = withCelRules(privateKeyFields, [
  {
    rule:
      "!has(self.size) || " +
      `(self.algorithm == 'RSA' && self.size in ${celIntList(privateKeySizes.RSA)}) || ` +
      `(self.algorithm == 'ECDSA' && self.size in ${celIntList(privateKeySizes.ECDSA)}) || ` +
      "self.algorithm == 'Ed25519'",
    message: "size must be 2048, 3072, 4096 or 8192 for RSA, and 224, 256, 384 or 521 for ECDSA",
    holds: (self: PrivateKeyFields) =>
      self.size === undefined ||
      self.algorithm === "Ed25519" ||
      (privateKeySizes[self.algorithm] as readonly number[]).includes(self.size),
  },
  {
    rule: "!(self.algorithm == 'Ed25519' && has(self.encoding) && self.encoding == 'PKCS1')",
    message: "Ed25519 keys have no PKCS1 form: use encoding PKCS8",
    holds: (self) => !(self.algorithm === "Ed25519" && self.encoding === "PKCS1"),
  },
]).describe(
  "Keyport extension: generate the private key in the cluster and have Vault sign a CSR (pki sign) instead of issuing a key.",
);

export type PrivateKey = z.output<typeof privateKeySchema>;

export function privateKeySize(key: PrivateKey): number | undefined {
  if (key.algorithm === "Ed25519") return undefined;
  return key.size ?? privateKeySizes[key.algorithm][0];
}

export function privateKeyEncoding(key: PrivateKey): PrivateKeyEncoding {
  return key.encoding ?? (key.algorithm === "Ed25519" ? "PKCS8" : "PKCS1");
}

export const chainLayouts = ["VSO", "Predictable"] as const;
export type ChainLayout = (typeof chainLayouts)[number];

// Keyport extension
export const keystoresSchema = z
  .object({
    pkcs12: z
      .object({
        create: z.boolean().describe("Write keystore.p12 and truststore.p12 into the destination Secret."),
        passwordSecretRef: z
          .object({
            name: z.string().min(1).describe("Name of a Secret in the VaultPKISecret's namespace."),
            key: z.string().min(1).describe("Key of the Secret that holds the password."),
          })
          .describe("The password of both files (AES-256 for the key, HMAC-SHA-256 for integrity)."),
      })
      .optional()
      .describe(
        "PKCS#12 files as cert-manager writes them: keystore.p12 (key, certificate, chain) and truststore.p12 (the root CA).",
      ),
  })
  .describe("Keyport extension: keystores written next to the PEM keys, as cert-manager's keystores.");

export type Keystores = z.output<typeof keystoresSchema>;

const vaultPKISecretSpecFields = z.object({
  vaultAuthRef: z
    .string()
    .optional()
    .describe("VaultAuth as name or namespace/name; defaults to default in the operator namespace."),
  namespace: z.string().optional().describe("Vault namespace of the mount; defaults to the VaultAuth's."),
  mount: z.string().describe("Mount path of the PKI secrets engine."),
  role: z.string().describe("PKI role to issue (or sign) with."),
  revoke: z
    .boolean()
    .optional()
    .describe("Revoke the previous certificate on rotation and the current one on deletion."),
  clear: z
    .boolean()
    .optional()
    .describe("Empty the destination Secret's data on deletion (only when the Secret is not owned)."),
  expiryOffset: duration()
    .optional()
    .describe("Renew this long before the certificate expires, e.g. 1h; at expiry when unset."),
  issuerRef: z.string().optional().describe("Issuer to use instead of the mount's default issuer."),
  rolloutRestartTargets: rolloutRestartTargetsSchema.optional(),
  destination: destinationSchema.describe("The Kubernetes Secret to write."),
  commonName: z.string().optional().describe("Requested common name."),
  altNames: stringList().optional().describe("Requested DNS or email subject alternative names."),
  ipSans: stringList().optional().describe("Requested IP subject alternative names."),
  uriSans: stringList().optional().describe("Requested URI subject alternative names."),
  otherSans: stringList().optional().describe("Requested other SANs, as <oid>;<type>:<value>."),
  userIDs: stringList().optional().describe("Requested user IDs (UID attribute of the subject)."),
  ttl: durationWithDays().optional().describe("Requested lifetime, e.g. 72h or 30d; the role's when unset."),
  format: z.string().optional().describe("Certificate format: pem (default), der or pem_bundle."),
  privateKeyFormat: z.string().optional().describe("Private key format from Vault: der (default) or pkcs8."),
  notAfter: z.string().optional().describe("Requested expiry as an RFC 3339 time; overrides ttl."),
  excludeCNFromSans: z
    .boolean()
    .optional()
    .describe("Do not add the common name to the subject alternative names."),
  // Keyport extension
  renewBeforePercentage: z
    .int()
    .min(1)
    .max(99)
    .optional()
    .describe(
      "Keyport extension: renew when this percentage of the certificate's lifetime remains. Exclusive with expiryOffset.",
    ),
  // Keyport extension
  privateKey: privateKeySchema.optional(),
  // Keyport extension
  keystores: keystoresSchema.optional(),
  // Keyport extension
  chainLayout: z
    .enum(chainLayouts)
    .optional()
    .describe(
      "Keyport extension: VSO (when unset): tls.crt, tls.key and ca.crt exactly as VSO writes them. " +
        "Predictable: tls.crt = the certificate and its intermediates, ca.crt = the root CA of its chain " +
        "(fetched from the mount's issuers), tls.key, whatever the role returns and whatever the destination type.",
    ),
});

export const vaultPKISecretSpecSchema = withCelRules(vaultPKISecretSpecFields, [
  {
    rule: "!(has(self.expiryOffset) && self.expiryOffset != '' && has(self.renewBeforePercentage))",
    message: "expiryOffset and renewBeforePercentage are mutually exclusive: set only one",
    holds: (self) => !(isSet(self.expiryOffset) && self.renewBeforePercentage !== undefined),
  },
  {
    rule: "!(has(self.privateKey) && has(self.privateKeyFormat) && self.privateKeyFormat != '')",
    message:
      "privateKeyFormat applies to keys Vault generates; with privateKey set privateKey.encoding instead",
    holds: (self) => !(self.privateKey !== undefined && isSet(self.privateKeyFormat)),
  },
]).describe("Which certificate to request, and where to keep it.");

export const vaultPKISecretStatusSchema = z
  .object({
    serialNumber: z.string().optional().describe("Serial number of the current certificate."),
    expiration: int64().optional().describe("Unix time at which the current certificate expires."),
    lastGeneration: int64().describe("metadata.generation last synced."),
    lastRotation: int64().describe("Unix time of the last issue."),
    secretMAC: z.string().optional().describe("HMAC of the last synced data (base64)."),
    valid: z.boolean().describe("Whether the last sync succeeded."),
    error: z.string().describe("Why the last sync failed."),
    conditions: conditionsSchema.optional(),
    // Keyport extension
    notAfter: z
      .string()
      .meta({ format: "date-time" })
      .optional()
      .describe("Keyport extension: when the current certificate expires (RFC 3339)."),
    // Keyport extension
    renewAt: z
      .string()
      .meta({ format: "date-time" })
      .optional()
      .describe("Keyport extension: when the certificate will be renewed (RFC 3339)."),
    // Keyport extension
    transformationDigest: z
      .string()
      .optional()
      .describe(
        "Keyport extension: digest of the referenced SecretTransformations the Secret was last rendered with; an edit to one re-renders the Secret.",
      ),
  })
  .describe("Observed state of the VaultPKISecret.");

export const vaultPKISecretKind = defineKind({
  kind: "VaultPKISecret",
  plural: "vaultpkisecrets",
  singular: "vaultpkisecret",
  description: "VaultPKISecret keeps a certificate from Vault's PKI secrets engine in a Kubernetes Secret.",
  spec: vaultPKISecretSpecSchema,
  status: vaultPKISecretStatusSchema,
  // Keyport extension: the expiry, visible in `kubectl get` (a string: kubectl shows a future
  // "date" column as <invalid>).
  printerColumns: [
    ...syncedHealthReadyColumns.slice(0, -1),
    { name: "Expires", type: "string", jsonPath: ".status.notAfter" },
    ...syncedHealthReadyColumns.slice(-1),
  ],
});

export type VaultPKISecretSpec = z.output<typeof vaultPKISecretSpecSchema>;
export type VaultPKISecretSpecInput = z.input<typeof vaultPKISecretSpecSchema>;
export type VaultPKISecretStatus = z.output<typeof vaultPKISecretStatusSchema>;
export type VaultPKISecret = Resource<"VaultPKISecret", VaultPKISecretSpec, VaultPKISecretStatus>;

export const parseVaultPKISecret = vaultPKISecretKind.parse;
