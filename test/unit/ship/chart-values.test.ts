// The chart's values keep VSO's names where they mean the same (docs/install.md has the table), so a
// VSO values file carries over; the rendering itself is checked with real helm in
// test/integration/ship/chart.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { load } from "js-yaml";
import { repoRoot } from "../../../tools/image/dockerfile.ts";

const chart = join(repoRoot, "deploy", "charts", "keyport");
const values = load(readFileSync(join(chart, "values.yaml"), "utf8")) as Record<string, unknown>;

function at(path: string): unknown {
  let node: unknown = values;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** VSO 1.4.1 chart values (reference/vso.md §5.1) that Keyport gives the same meaning. */
const vsoPaths = [
  "controller.replicas",
  "controller.strategy",
  "controller.priorityClassName",
  "controller.hostAliases",
  "controller.nodeSelector",
  "controller.tolerations",
  "controller.affinity",
  "controller.topologySpreadConstraints",
  "controller.podDisruptionBudget.enabled",
  "controller.podDisruptionBudget.maxUnavailable",
  "controller.podDisruptionBudget.minAvailable",
  "controller.imagePullSecrets",
  "controller.extraLabels",
  "controller.annotations",
  "controller.podSecurityContext",
  "controller.securityContext",
  "controller.terminationGracePeriodSeconds",
  "controller.manager.image.repository",
  "controller.manager.image.tag",
  "controller.manager.image.pullPolicy",
  "controller.manager.logging.level",
  "controller.manager.logging.timeEncoding",
  "controller.manager.logging.stacktraceLevel",
  "controller.manager.globalTransformationOptions.excludeRaw",
  "controller.manager.globalVaultAuthOptions.allowDefaultGlobals",
  "controller.manager.backoffOnSecretSourceError.initialInterval",
  "controller.manager.backoffOnSecretSourceError.maxInterval",
  "controller.manager.backoffOnSecretSourceError.maxElapsedTime",
  "controller.manager.backoffOnSecretSourceError.randomizationFactor",
  "controller.manager.backoffOnSecretSourceError.multiplier",
  "controller.manager.clientCache.persistenceModel",
  "controller.manager.clientCache.cacheSize",
  "controller.manager.clientCache.numLocks",
  "controller.manager.clientCache.storageEncryption.enabled",
  "controller.manager.clientCache.storageEncryption.vaultConnectionRef",
  "controller.manager.clientCache.storageEncryption.keyName",
  "controller.manager.clientCache.storageEncryption.transitMount",
  "controller.manager.clientCache.storageEncryption.method",
  "controller.manager.clientCache.storageEncryption.mount",
  "controller.manager.maxConcurrentReconciles",
  "controller.manager.kubeClient.qps",
  "controller.manager.kubeClient.burst",
  "controller.manager.extraEnv",
  "controller.manager.extraArgs",
  "controller.manager.volumes",
  "controller.manager.resources",
  "metricsService.ports",
  "telemetry.serviceMonitor.enabled",
  "telemetry.serviceMonitor.selectors",
  "telemetry.serviceMonitor.scheme",
  "telemetry.serviceMonitor.port",
  "telemetry.serviceMonitor.path",
  "telemetry.serviceMonitor.bearerTokenFile",
  "telemetry.serviceMonitor.interval",
  "telemetry.serviceMonitor.scrapeTimeout",
  "defaultVaultConnection.enabled",
  "defaultVaultConnection.address",
  "defaultVaultConnection.caCertSecret",
  "defaultVaultConnection.tlsServerName",
  "defaultVaultConnection.skipTLSVerify",
  "defaultVaultConnection.headers",
  "defaultAuthMethod.enabled",
  "defaultAuthMethod.namespace",
  "defaultAuthMethod.allowedNamespaces",
  "defaultAuthMethod.method",
  "defaultAuthMethod.mount",
  "defaultAuthMethod.kubernetes.role",
  "defaultAuthMethod.kubernetes.serviceAccount",
  "defaultAuthMethod.kubernetes.tokenAudiences",
  "defaultAuthMethod.jwt.role",
  "defaultAuthMethod.jwt.secretRef",
  "defaultAuthMethod.appRole.roleId",
  "defaultAuthMethod.appRole.secretRef",
  "defaultAuthMethod.aws.role",
  "defaultAuthMethod.gcp.role",
  "defaultAuthMethod.params",
  "defaultAuthMethod.headers",
  "defaultAuthMethod.vaultAuthGlobalRef.enabled",
];

test("every VSO value Keyport supports is at VSO's path", () => {
  const missing = vsoPaths.filter((p) => at(p) === undefined);
  assert.deepEqual(missing, []);
});

test("VSO's defaults are kept where the meaning is the same", () => {
  assert.equal(at("controller.replicas"), 1);
  assert.equal(at("controller.podDisruptionBudget.enabled"), false);
  assert.equal(at("controller.manager.logging.level"), "info");
  assert.equal(at("controller.manager.globalVaultAuthOptions.allowDefaultGlobals"), true);
  assert.deepEqual(at("controller.manager.backoffOnSecretSourceError"), {
    initialInterval: "5s",
    maxInterval: "60s",
    maxElapsedTime: "0s",
    randomizationFactor: 0.5,
    multiplier: 1.5,
  });
  assert.equal(at("telemetry.serviceMonitor.interval"), "30s");
  assert.equal(at("telemetry.serviceMonitor.scrapeTimeout"), "10s");
  assert.equal(at("defaultVaultConnection.enabled"), false);
  assert.equal(at("defaultAuthMethod.enabled"), false);
  assert.equal(at("defaultAuthMethod.method"), "kubernetes");
});

test("the default security context is Pod Security restricted's; OpenShift's values drop the ids", () => {
  assert.deepEqual(at("controller.podSecurityContext"), {
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    seccompProfile: { type: "RuntimeDefault" },
  });
  assert.deepEqual(at("controller.securityContext"), {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  });
  const openshift = load(readFileSync(join(chart, "values-openshift.yaml"), "utf8"));
  assert.deepEqual(openshift, { openshift: true });
});

test("cluster-wide unless namespaces are listed; CRDs installed and kept", () => {
  assert.deepEqual(at("watchNamespaces"), []);
  assert.deepEqual(at("crds"), { enabled: true, keep: true });
});
