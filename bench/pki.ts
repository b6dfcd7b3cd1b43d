// 5. Certificates: issuance throughput in issue mode (Vault makes the key) and sign mode (Keyport
// makes the key, Vault signs a CSR) for RSA-2048 and ECDSA P-256; the cost of a restart over the
// certificates just issued; and renewal precision for short-lived certificates.
import { X509Certificate } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { planRenewal } from "../src/pki/renewal.ts";
import { managedSecretSelector } from "../src/sync/ownership.ts";
import { type Bench, collectionPath, createAll, createNamespace } from "./lib/context.ts";
import { log } from "./lib/log.ts";
import { counterDelta, counters, type OperatorProcess, startOperator } from "./lib/operator.ts";
import { sumOf } from "./lib/prom.ts";
import { range, round, type Summary, summarize } from "./lib/stats.ts";
import { allPass, decoded, ObjectWatch, type SecretObject } from "./lib/watch.ts";
import { type KeyAlgorithm, type PkiMode, pkiSecret } from "./pki-fixtures.ts";
import { type RestartResult, runRestart } from "./restart.ts";

export interface IssuanceResult {
  mode: PkiMode;
  algorithm: KeyAlgorithm;
  role: string;
  n: number;
  seconds: number;
  certificatesPerSecond: number;
  /** What the first certificate actually holds, e.g. "rsa 2048" or "ec prime256v1". */
  observedKey: string;
  failures: number;
}

export interface RenewalResult {
  certificates: number;
  ttl: string;
  windowSeconds: number;
  renewals: number;
  /** Secret write seen by the bench minus the planned renewal instant (as status.renewAt, in ms). */
  errorMs: Summary;
  renewalErrorP99Ms: number;
  /** status.renewAt disagreeing (beyond its 1 s resolution) with the plan recomputed from status. */
  renewAtMismatches: number;
  issuedInRenewalWindow: number;
  samples: number[];
}

export interface PkiResult {
  issuance: IssuanceResult[];
  restart: RestartResult;
  restartCertificatesIssued: number;
  restartSecretWrites: number;
  restartVaultLogins: number;
  renewal: RenewalResult;
  renewalErrorP99Ms: number;
}

interface PkiStatusView {
  serialNumber?: string;
  lastRotation?: number;
  expiration?: number;
  renewAt?: string;
}

const combos: { mode: PkiMode; algorithm: KeyAlgorithm }[] = [
  { mode: "issue", algorithm: "RSA" },
  { mode: "issue", algorithm: "ECDSA" },
  { mode: "sign", algorithm: "RSA" },
  { mode: "sign", algorithm: "ECDSA" },
];

function keyOf(pem: string | undefined): string {
  if (pem === undefined) return "none";
  const key = new X509Certificate(pem).publicKey;
  const d = key.asymmetricKeyDetails;
  return `${key.asymmetricKeyType} ${d?.modulusLength ?? d?.namedCurve ?? ""}`.trim();
}

async function issuance(
  bench: Bench,
  op: OperatorProcess,
  ns: string,
  combo: { mode: PkiMode; algorithm: KeyAlgorithm },
  n: number,
): Promise<IssuanceResult> {
  const watch = new ObjectWatch<SecretObject>(
    bench.kube,
    collectionPath("Secret", ns),
    managedSecretSelector,
  );
  await watch.start();
  try {
    const names = range(n).map((i) => `cert-${i}`);
    const objects = names.map((name) => pkiSecret(ns, name, { ...combo, ttl: "24h" }));
    const tracker = allPass(
      watch,
      names,
      (s) => decoded(s, "tls.crt") !== undefined,
      120_000 + n * 500,
      "certificates",
    );
    const before = counters(await op.metrics());
    const started = performance.now();
    await createAll(bench, objects);
    const done = await tracker.done;
    const seconds = (Math.max(...done.values()) - started) / 1000;
    const c = counterDelta(before, counters(await op.metrics()));
    return {
      ...combo,
      role: objects[0]?.spec.role ?? "",
      n,
      seconds: round(seconds, 2),
      certificatesPerSecond: round(n / seconds),
      observedKey: keyOf(decoded(watch.objects.get("cert-0"), "tls.crt")),
      failures: c.certificateErrors,
    };
  } finally {
    await watch.stop();
  }
}

async function renewal(
  bench: Bench,
  op: OperatorProcess,
  ns: string,
  options: { certificates: number; windowSeconds: number },
): Promise<RenewalResult> {
  const ttl = "30s";
  const secrets = new ObjectWatch<SecretObject>(
    bench.kube,
    collectionPath("Secret", ns),
    managedSecretSelector,
  );
  const resources = new ObjectWatch<{ metadata?: { name?: string }; status?: PkiStatusView }>(
    bench.kube,
    collectionPath("VaultPKISecret", ns),
  );
  await secrets.start();
  await resources.start();
  try {
    // Planned instant per serial, recomputed from status exactly as the operator computes it.
    const planned = new Map<string, number>();
    let mismatches = 0;
    resources.on((e) => {
      const s = e.object.status;
      if (!s?.serialNumber || s.lastRotation === undefined || s.expiration === undefined) return;
      if (planned.has(s.serialNumber)) return;
      const plan = planRenewal(
        Date.now(),
        {
          notBefore: s.lastRotation,
          notAfter: s.expiration,
          serialNumber: s.serialNumber,
        },
        {},
      );
      planned.set(s.serialNumber, plan.renewAt);
      if (s.renewAt !== undefined && Math.abs(Date.parse(s.renewAt) - plan.renewAt) > 1000) mismatches++;
    });
    // When each serial was replaced, as seen through the bench's watch (wall clock, ms).
    const lastSerial = new Map<string, string>();
    const replaced: { serial: string; at: number }[] = [];
    let measuring = false;
    secrets.on((e) => {
      if (e.type === "DELETED") return;
      const name = e.object.metadata?.name ?? "";
      const serial = decoded(e.object, "serial_number");
      if (serial === undefined) return;
      const previous = lastSerial.get(name);
      lastSerial.set(name, serial);
      if (measuring && previous !== undefined && previous !== serial) {
        replaced.push({ serial: previous, at: performance.timeOrigin + e.at });
      }
    });
    const names = range(options.certificates).map((i) => `short-${i}`);
    const first = allPass(
      secrets,
      names,
      (s) => decoded(s, "tls.crt") !== undefined,
      120_000,
      "short-lived certificates",
    );
    await createAll(
      bench,
      // ECDSA, so Vault's RSA key generation (serialised, tens of ms each) does not swamp the timing.
      names.map((name) => pkiSecret(ns, name, { mode: "issue", algorithm: "ECDSA", ttl })),
    );
    await first.done;
    const before = sumOf(await op.metrics(), "keyport_certificate_issuances_total", {
      reason: "InRenewalWindow",
    });
    measuring = true;
    log(
      `  pki: ${options.certificates} certificates with ttl ${ttl}, watching renewals for ${options.windowSeconds} s`,
    );
    await sleep(options.windowSeconds * 1000);
    measuring = false;
    const after = sumOf(await op.metrics(), "keyport_certificate_issuances_total", {
      reason: "InRenewalWindow",
    });
    const errors = replaced
      .filter((r) => planned.has(r.serial))
      .map((r) => r.at - (planned.get(r.serial) as number));
    const summary = summarize(errors, 0);
    return {
      certificates: options.certificates,
      ttl,
      windowSeconds: options.windowSeconds,
      renewals: errors.length,
      errorMs: summary,
      renewalErrorP99Ms: summary.p99,
      renewAtMismatches: mismatches,
      issuedInRenewalWindow: after - before,
      samples: errors.map(Math.round),
    };
  } finally {
    await secrets.stop();
    await resources.stop();
  }
}

export async function runPki(
  bench: Bench,
  options: { perCombo: number; renewalCertificates: number; renewalWindowSeconds: number },
): Promise<PkiResult> {
  const comboNs = combos.map((c) => `pki-${c.mode}-${c.algorithm.toLowerCase()}`);
  const renewNs = "pki-renew";
  for (const ns of [...comboNs, renewNs]) await createNamespace(bench, ns);
  const watched = [...comboNs, renewNs];
  let op = await startOperator(bench, { label: "pki", watchNamespaces: watched });
  try {
    await op.waitReady();
    const issued: IssuanceResult[] = [];
    for (const [i, combo] of combos.entries()) {
      log(`  pki: ${options.perCombo} certificates, ${combo.mode} mode, ${combo.algorithm}`);
      issued.push(await issuance(bench, op, comboNs[i] as string, combo, options.perCombo));
    }
    await op.stop();
    log(`  pki: restarting over ${options.perCombo * combos.length} valid certificates`);
    const restarted = await runRestart(bench, {
      label: "pki-restart",
      namespaces: watched,
      n: options.perCombo * combos.length,
      kind: "VaultPKISecret",
      timeoutMs: 300_000,
    });
    op = restarted.operator;
    const restart = { ...restarted.result, identities: combos.length };
    const renewed = await renewal(bench, op, renewNs, {
      certificates: options.renewalCertificates,
      windowSeconds: options.renewalWindowSeconds,
    });
    return {
      issuance: issued,
      restart,
      restartCertificatesIssued: restart.certificatesIssued,
      restartSecretWrites: restart.secretWrites,
      restartVaultLogins: restart.vaultLogins,
      renewal: renewed,
      renewalErrorP99Ms: renewed.renewalErrorP99Ms,
    };
  } finally {
    await op.stop();
  }
}
