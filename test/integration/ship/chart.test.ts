// The Helm chart, judged by real tools: `helm lint`, `helm template` in the default,
// namespace-scoped and OpenShift-flavoured value sets, every rendered object applied server-side to
// the test apiserver in namespaces that enforce Pod Security `restricted` (and a Pod built from the
// Deployment's template created with --dry-run=server, since admission only warns about
// Deployments). The namespace-scoped install is then proven least-privilege by running the operator
// from the production tree as the chart's ServiceAccount: Roles only, and it still syncs a secret.
// Finally `helm install` → `helm upgrade` updates the CRDs, and `helm uninstall` keeps them.
import assert from "node:assert/strict";
import { type ChildProcess, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dump, load, loadAll } from "js-yaml";
import { parseRunOptions } from "../../../src/cli/options.ts";
import { repoRoot } from "../../../tools/image/dockerfile.ts";
import { buildProductionTree, canConfine, privateFile, spawnFromTree } from "../../../tools/image/run.ts";
import { cachedBinary, readVersions } from "../../../tools/testenv/config.ts";
import { callJson, closeAgents } from "../../../tools/testenv/http.ts";
import { freePort } from "../../../tools/testenv/ports.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  installCrds,
  kubernetesRole,
  secretText,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const chart = join(repoRoot, "deploy", "charts", "keyport");
const helm = process.env.TESTENV_HELM ?? cachedBinary("helm", readVersions().HELM_VERSION ?? "", "helm");
const work = mkdtempSync(join(tmpdir(), "keyport-chart-"));
chmodSync(work, 0o755);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  [key: string]: unknown;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], input?: string): Run {
  const env = testEnv();
  const result = spawnSync(command, args, {
    encoding: "utf8",
    input,
    env: {
      ...process.env,
      KUBECONFIG: env.kube.kubeconfig,
      // helm keeps its config, cache and repositories here, not in the user's home.
      HELM_CONFIG_HOME: join(work, "helm", "config"),
      HELM_CACHE_HOME: join(work, "helm", "cache"),
      HELM_DATA_HOME: join(work, "helm", "data"),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ok(command: string, args: readonly string[], input?: string): Run {
  const result = run(command, args, input);
  assert.equal(result.status, 0, `${command} ${args.join(" ")}\n${result.stderr}${result.stdout}`);
  return result;
}

const kubectl = (args: readonly string[], input?: string) => ok(testEnv().kube.kubectl, args, input);
const helmOk = (args: readonly string[]) => ok(helm, args);

/** `helm template` for the apiserver under test; the CRDs already exist there (installCrds). */
function render(
  release: string,
  namespace: string,
  values: readonly string[],
  crdsServed = true,
): K8sObject[] {
  const { stdout } = helmOk([
    "template",
    release,
    chart,
    "--namespace",
    namespace,
    "--kube-version",
    testEnv().kube.version,
    ...(crdsServed ? ["--api-versions", "secrets.hashicorp.com/v1beta1"] : []),
    ...values,
  ]);
  return (loadAll(stdout) as Array<K8sObject | null>).filter((o): o is K8sObject => o !== null);
}

function restrictedNamespace(name: string): void {
  kubectl(
    ["apply", "--server-side", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    }),
  );
  kubectl(["-n", name, "create", "serviceaccount", "default"]);
}

/** Applies every rendered object server-side (CRDs were applied first); returns kubectl's stderr. */
function applyServerSide(objects: readonly K8sObject[]): string {
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  const rest = objects.filter((o) => o.kind !== "CustomResourceDefinition");
  let stderr = "";
  for (const batch of [crds, rest]) {
    if (batch.length === 0) continue;
    const result = kubectl(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=keyport-chart-test", "-f", "-"],
      batch.map((o) => JSON.stringify(o)).join("\n---\n"),
    );
    stderr += result.stderr;
  }
  return stderr;
}

function deploymentOf(objects: readonly K8sObject[]): K8sObject {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  assert.equal(deployments.length, 1);
  return deployments[0] as K8sObject;
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Array<{ name: string; args?: string[]; securityContext?: Record<string, unknown> }>;
  [key: string]: unknown;
}

function podSpecOf(deployment: K8sObject): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

/** A Pod from the Deployment's template: what the ReplicaSet controller would create. */
function podFrom(deployment: K8sObject, spec: PodSpec = podSpecOf(deployment)): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `${deployment.metadata.name}-pod`, namespace: deployment.metadata.namespace },
    spec,
  });
}

function containerArgs(objects: readonly K8sObject[]): string[] {
  return podSpecOf(deploymentOf(objects)).containers.find((c) => c.name === "manager")?.args ?? [];
}

const valueSets = {
  default: [] as string[],
  namespaced: [] as string[], // filled in before(): the namespaces are unique per run
  openshift: ["-f", join(chart, "values-openshift.yaml")],
};
type SetName = keyof typeof valueSets;
const releaseNs: Record<SetName, string> = {
  default: uniqueName("chart-default"),
  namespaced: uniqueName("chart-ns"),
  openshift: uniqueName("chart-ocp"),
};
const release: Record<SetName, string> = {
  default: uniqueName("kp"),
  namespaced: uniqueName("kp"),
  openshift: uniqueName("kp"),
};
const servedA = uniqueName("chart-a");
const servedB = uniqueName("chart-b");
const unserved = uniqueName("chart-c");
const rendered: Partial<Record<SetName, K8sObject[]>> = {};

before(() => {
  assert.ok(readFileSync(helm).length > 0, `helm is built: ${helm} (bash tools/testenv/build.sh helm)`);
  installCrds();
  for (const ns of [...Object.values(releaseNs), servedA, servedB, unserved]) restrictedNamespace(ns);
  valueSets.namespaced = ["--set", `watchNamespaces={${servedA},${servedB}}`];
});

after(async () => {
  // The cluster-scoped objects the renders created (namespaced ones go with the environment).
  const instances = Object.values(release).join(",");
  run(testEnv().kube.kubectl, [
    "delete",
    "clusterrole,clusterrolebinding",
    "-l",
    `app.kubernetes.io/instance in (${instances})`,
    "--ignore-not-found",
  ]);
  await closeAgents();
  rmSync(work, { recursive: true, force: true });
});

describe("helm lint", () => {
  for (const name of Object.keys(valueSets) as SetName[]) {
    test(`passes --strict with the ${name} values`, () => {
      const values = valueSets[name];
      const result = helmOk(["lint", "--strict", chart, "--kube-version", testEnv().kube.version, ...values]);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});

describe("rendered and installed server-side under Pod Security restricted", () => {
  for (const name of Object.keys(valueSets) as SetName[]) {
    test(`${name}: every object is accepted with no warning, and a Pod from the template is admitted`, () => {
      const objects = render(release[name], releaseNs[name], valueSets[name]);
      rendered[name] = objects;
      const stderr = applyServerSide(objects);
      assert.doesNotMatch(stderr, /Warning|violate|forbidden/i, stderr);
      const deployment = deploymentOf(objects);
      const live = JSON.parse(
        kubectl(["-n", releaseNs[name], "get", "deployment", deployment.metadata.name, "-o", "json"]).stdout,
      ) as K8sObject;
      assert.equal(live.metadata.name, deployment.metadata.name);
      const pod = kubectl(["create", "--dry-run=server", "-o", "name", "-f", "-"], podFrom(deployment));
      assert.doesNotMatch(pod.stderr, /Warning/i, pod.stderr);
    });
  }

  test("admission really judges: the same Pod without its security context is refused", () => {
    const deployment = deploymentOf(rendered.default ?? render(release.default, releaseNs.default, []));
    const spec = podSpecOf(deployment);
    const bare: PodSpec = {
      ...spec,
      securityContext: {},
      containers: spec.containers.map(({ securityContext: _, ...c }) => c),
    };
    const result = run(
      testEnv().kube.kubectl,
      ["create", "--dry-run=server", "-f", "-"],
      podFrom(deployment, bare),
    );
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /violates PodSecurity "restricted:latest"/);
  });

  test("the security context is restricted's, and OpenShift's leaves the user to the SCC", () => {
    for (const name of Object.keys(valueSets) as SetName[]) {
      const spec = podSpecOf(deploymentOf(rendered[name] ?? []));
      const container = spec.containers[0]?.securityContext ?? {};
      assert.equal(spec.securityContext?.runAsNonRoot, true);
      assert.deepEqual(spec.securityContext?.seccompProfile, { type: "RuntimeDefault" });
      assert.equal(container.allowPrivilegeEscalation, false);
      assert.equal(container.readOnlyRootFilesystem, true);
      assert.deepEqual(container.capabilities, { drop: ["ALL"] });
      const ids = ["runAsUser", "runAsGroup", "fsGroup"].filter(
        (k) => k in (spec.securityContext ?? {}) || k in container,
      );
      if (name === "openshift") assert.deepEqual(ids, [], "restricted-v2 assigns the ids");
      else assert.equal(spec.securityContext?.runAsUser, 65532);
    }
  });
});

describe("RBAC", () => {
  const rulesOf = (o: K8sObject) => o.rules ?? [];

  test("cluster-wide: one ClusterRole, no wildcards, no verbs the operator never uses", () => {
    const objects = rendered.default ?? [];
    const clusterRoles = objects.filter((o) => o.kind === "ClusterRole");
    assert.equal(clusterRoles.length, 1);
    for (const rule of rulesOf(clusterRoles[0] as K8sObject)) {
      assert.ok(!rule.verbs.includes("*") && !rule.resources.includes("*") && !rule.apiGroups.includes("*"));
      assert.ok(!rule.verbs.includes("deletecollection") && !rule.verbs.includes("escalate"));
    }
  });

  test("namespace-scoped: no ClusterRole or ClusterRoleBinding; Roles only where it serves", () => {
    const objects = rendered.namespaced ?? [];
    assert.deepEqual(
      objects.filter((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding"),
      [],
    );
    const roleNamespaces = objects
      .filter((o) => o.kind === "Role" && o.metadata.name.endsWith("-manager-role"))
      .map((o) => o.metadata.namespace)
      .sort();
    assert.deepEqual(roleNamespaces, [releaseNs.namespaced, servedA, servedB].sort());
    const args = containerArgs(objects);
    assert.ok(
      args.includes(`--watch-namespaces=${[releaseNs.namespaced, servedA, servedB].sort().join(",")}`),
    );
  });

  test("the apiserver agrees: the namespace-scoped operator cannot touch Secrets elsewhere", () => {
    const sa = `system:serviceaccount:${releaseNs.namespaced}:${release.namespaced}-keyport-controller-manager`;
    const can = (...args: string[]) =>
      run(testEnv().kube.kubectl, ["auth", "can-i", `--as=${sa}`, ...args]).stdout.trim();
    assert.equal(can("list", "secrets", "--all-namespaces"), "no");
    assert.equal(can("get", "secrets", "-n", unserved), "no");
    assert.equal(can("list", "namespaces"), "no");
    assert.equal(can("watch", "secrets", "-n", servedA), "yes");
    assert.equal(can("create", "serviceaccounts", "--subresource=token", "-n", servedB), "yes");
    assert.equal(can("update", "leases.coordination.k8s.io", "-n", releaseNs.namespaced), "yes");
    const clusterSa = `system:serviceaccount:${releaseNs.default}:${release.default}-keyport-controller-manager`;
    assert.equal(
      run(testEnv().kube.kubectl, [
        "auth",
        "can-i",
        `--as=${clusterSa}`,
        "list",
        "secrets",
        "--all-namespaces",
      ]).stdout.trim(),
      "yes",
    );
  });

  test("the operator accepts every flag the chart passes", () => {
    const all = render(release.default, releaseNs.default, [
      "--set",
      "controller.manager.clientCache.persistenceModel=direct-encrypted",
      "--set",
      "controller.manager.clientCache.cacheSize=500",
      "--set",
      "controller.manager.clientCache.numLocks=10",
      "--set",
      "controller.manager.maxConcurrentReconciles=7",
      "--set",
      "controller.manager.kubeClient.qps=50",
      "--set",
      "controller.manager.kubeClient.burst=80",
      "--set",
      "controller.manager.globalTransformationOptions.excludeRaw=true",
      "--set",
      "controller.manager.allowedAuthMethods={kubernetes,jwt}",
      "--set",
      "controller.manager.logging.level=debug-extended",
      "--set",
      "watchNamespaces={x}",
    ]);
    const args = containerArgs(all);
    assert.equal(args[0], "run");
    const options = parseRunOptions(args.slice(1), {});
    assert.equal(options.clientCachePersistenceModel, "direct-encrypted");
    assert.equal(options.clientCacheSize, 500);
    assert.equal(options.maxConcurrentReconciles, 7);
    assert.equal(options.kubeClientQps, 50);
    assert.equal(options.kubeClientBurst, 80);
    assert.equal(options.globalTransformationOptions.excludeRaw, true);
    assert.deepEqual(options.allowedAuthMethods, ["kubernetes", "jwt"]);
    assert.deepEqual(options.watchNamespaces, [releaseNs.default, "x"].sort());
    assert.equal(options.leaderElect, true);
    assert.equal(options.logLevel, "debug-extended");
  });
});

describe("the chart's own custom resources", () => {
  const defaults = [
    "--set",
    "defaultVaultConnection.enabled=true",
    "--set",
    "defaultVaultConnection.address=https://vault.example:8200",
    "--set",
    "defaultAuthMethod.enabled=true",
    "--set",
    "defaultAuthMethod.kubernetes.role=r",
  ];
  const kinds = (objects: K8sObject[]) =>
    objects
      .filter((o) => o.apiVersion === "secrets.hashicorp.com/v1beta1")
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();

  test("are rendered when the API is served, and skipped (not failed) before the CRDs exist", () => {
    assert.deepEqual(kinds(render(release.default, releaseNs.default, defaults)), [
      "VaultAuth/default",
      "VaultConnection/default",
    ]);
    assert.deepEqual(kinds(render(release.default, releaseNs.default, defaults, false)), []);
  });

  test("are valid against the CRDs (server-side dry run)", () => {
    const objects = render(release.default, releaseNs.default, [
      ...defaults,
      "--set",
      "controller.manager.clientCache.storageEncryption.enabled=true",
      "--set",
      "controller.manager.clientCache.storageEncryption.transitMount=transit",
      "--set",
      "controller.manager.clientCache.storageEncryption.keyName=keyport",
      "--set",
      "controller.manager.clientCache.storageEncryption.kubernetes.role=r",
    ]).filter((o) => o.apiVersion === "secrets.hashicorp.com/v1beta1");
    assert.equal(objects.length, 3);
    const result = kubectl(
      ["apply", "--server-side", "--dry-run=server", "-f", "-"],
      objects.map((o) => JSON.stringify(o)).join("\n---\n"),
    );
    assert.doesNotMatch(result.stderr, /Warning/i, result.stderr);
  });
});

describe("PodDisruptionBudget and ServiceMonitor", () => {
  test("render, and the PodDisruptionBudget is accepted", () => {
    const objects = render(release.default, releaseNs.default, [
      "--set",
      "controller.podDisruptionBudget.enabled=true",
      "--set",
      "controller.podDisruptionBudget.minAvailable=1",
      "--set",
      "telemetry.serviceMonitor.enabled=true",
    ]);
    const pdb = objects.find((o) => o.kind === "PodDisruptionBudget");
    assert.ok(pdb);
    assert.equal((pdb.spec as { minAvailable?: number }).minAvailable, 1);
    kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], JSON.stringify(pdb));
    // The test apiserver has no Prometheus Operator CRDs: check the ServiceMonitor finds the Service.
    const monitor = objects.find((o) => o.kind === "ServiceMonitor") as K8sObject;
    const service = objects.find((o) => o.kind === "Service") as K8sObject;
    const selector = (monitor.spec as { selector: { matchLabels: Record<string, string> } }).selector;
    for (const [k, v] of Object.entries(selector.matchLabels)) assert.equal(service.metadata.labels?.[k], v);
    const endpoint = (monitor.spec as { endpoints: Array<{ port: string }> }).endpoints[0];
    const ports = (service.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name);
    assert.ok(ports.includes(endpoint?.port ?? ""), `${endpoint?.port} is a Service port`);
  });
});

describe("the namespace-scoped install runs with its own RBAC", () => {
  const role = uniqueName("role");
  const kvPath = uniqueName("chart");
  let child: ChildProcess | undefined;
  let output = "";

  before(async () => {
    const env = testEnv();
    await kubernetesRole(role, [servedA]);
    // The chart's own default VaultConnection and VaultAuth, in the release namespace.
    const objects = render(release.namespaced, releaseNs.namespaced, [
      ...valueSets.namespaced,
      "--set",
      "defaultVaultConnection.enabled=true",
      "--set",
      `defaultVaultConnection.address=${env.vault.addr}`,
      "--set",
      "defaultAuthMethod.enabled=true",
      "--set",
      `defaultAuthMethod.kubernetes.role=${role}`,
      "--set",
      "defaultAuthMethod.kubernetes.tokenAudiences={vault}",
    ]);
    applyServerSide(objects);

    const sa = `${release.namespaced}-keyport-controller-manager`;
    const token = kubectl(["-n", releaseNs.namespaced, "create", "token", sa, "--duration=1h"]).stdout.trim();
    const confine = canConfine();
    const kubeconfig = privateFile(
      work,
      "kubeconfig",
      dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: "test",
            cluster: {
              server: env.kube.apiUrl,
              "certificate-authority-data": readFileSync(env.kube.caFile).toString("base64"),
            },
          },
        ],
        users: [{ name: sa, user: { token } }],
        contexts: [{ name: "test", context: { cluster: "test", user: sa } }],
        "current-context": "test",
      }),
      confine,
    );
    const tree = join(work, "app");
    buildProductionTree(tree);
    const health = await freePort();
    const metrics = await freePort();
    // The Deployment's own args, with loopback ports instead of the pod's.
    const args = containerArgs(objects)
      .slice(1)
      .map((a) =>
        a.startsWith("--health-probe-bind-address=")
          ? `--health-probe-bind-address=127.0.0.1:${health}`
          : a.startsWith("--metrics-bind-address=")
            ? `--metrics-bind-address=127.0.0.1:${metrics}`
            : a,
      );
    child = spawnFromTree({
      tree,
      confine,
      args: [...args, `--kubeconfig=${kubeconfig}`],
      env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", OPERATOR_NAMESPACE: releaseNs.namespaced },
    });
    child.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    await eventually(
      async () => {
        if (child?.exitCode !== null) throw new Error(`keyport exited: ${output}`);
        return (await callJson("GET", `http://127.0.0.1:${health}/readyz`)).status === 200;
      },
      { timeoutMs: 60_000, message: "keyport ready as the chart's ServiceAccount" },
    );
  });

  after(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });

  test("syncs a VaultStaticSecret in a served namespace with Roles only, and is never forbidden", async () => {
    await vault("POST", `kvv2/data/${kvPath}`, { data: { who: "namespace-scoped" } });
    apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: scoped, namespace: ${servedA}}
spec:
  type: kv-v2
  mount: kvv2
  path: ${kvPath}
  destination: {name: scoped, create: true}
`);
    const secret = await waitForSecret(servedA, "scoped", (d) => d.who === "namespace-scoped", 60_000);
    assert.equal(secretText(secret)?.who, "namespace-scoped");
    // (\b: epoch-millisecond times in the log may contain the digits 403.)
    assert.doesNotMatch(output, /forbidden|\b403\b/i, output.slice(-3000));
    const lease = kubectl(["-n", releaseNs.namespaced, "get", "leases", "-o", "name"]).stdout;
    assert.match(lease, /lease\.coordination\.k8s\.io\//, "it won the leader election with its Role");
  });
});

describe("helm install, upgrade and uninstall", () => {
  const ns = uniqueName("chart-helm");
  const name = uniqueName("kp");
  const crds = [
    "secrettransformations",
    "vaultauthglobals",
    "vaultauths",
    "vaultconnections",
    "vaultdynamicsecrets",
    "vaultpkisecrets",
    "vaultstaticsecrets",
  ].map((plural) => `customresourcedefinition.apiextensions.k8s.io/${plural}.secrets.hashicorp.com`);
  const printerColumns = () =>
    (
      JSON.parse(kubectl(["get", crds[6] as string, "-o", "json"]).stdout) as {
        spec: { versions: Array<{ additionalPrinterColumns?: unknown[] }> };
      }
    ).spec.versions[0]?.additionalPrinterColumns?.length ?? 0;

  before(() => {
    restrictedNamespace(ns);
    // CRDs that exist (from VSO, or here from other suites) are adopted, as docs/install.md says.
    kubectl([
      "annotate",
      "--overwrite",
      ...crds,
      `meta.helm.sh/release-name=${name}`,
      `meta.helm.sh/release-namespace=${ns}`,
    ]);
    kubectl(["label", "--overwrite", ...crds, "app.kubernetes.io/managed-by=Helm"]);
  });

  test("an upgrade updates the CRDs an older chart installed", () => {
    // An "older chart": the same, with the VaultStaticSecret CRD lacking its printer columns.
    const old = join(work, "old-chart");
    cpSync(chart, old, { recursive: true });
    const file = join(old, "files", "crds", "secrets.hashicorp.com_vaultstaticsecrets.yaml");
    const crd = load(readFileSync(file, "utf8")) as { spec: { versions: Array<Record<string, unknown>> } };
    for (const version of crd.spec.versions) delete version.additionalPrinterColumns;
    writeFileSync(file, `---\n${dump(crd)}`);

    const common = ["--namespace", ns, "--set", "controller.replicas=0"];
    helmOk(["install", name, old, ...common]);
    assert.equal(printerColumns(), 0, "the older chart's CRD is live");
    const upgrade = helmOk([
      "upgrade",
      name,
      chart,
      ...common,
      "--set",
      "defaultVaultConnection.enabled=true",
      "--set",
      `defaultVaultConnection.address=${testEnv().vault.addr}`,
    ]);
    assert.doesNotMatch(upgrade.stderr, /Warning/i, upgrade.stderr);
    assert.ok(printerColumns() > 0, "the upgrade restored the printer columns");
    // The CRDs existed at render time, so the chart's default VaultConnection was created too.
    kubectl(["-n", ns, "get", "vaultconnection", "default"]);
  });

  test("uninstall keeps the CRDs (helm.sh/resource-policy: keep)", () => {
    helmOk(["uninstall", name, "--namespace", ns]);
    for (const crd of crds) kubectl(["get", crd, "-o", "name"]);
  });
});
