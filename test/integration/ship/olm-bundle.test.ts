// The OperatorHub bundle in deploy/olm: generated from deploy/crds (and up to date), passing the
// checks of operator-framework's validators (tools/olm-validate), its ClusterServiceVersion
// accepted by a real kube-apiserver against the CSV CRD operator-framework publishes, its CRDs
// applied server-side, and every alm-example accepted by those CRDs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { dump, load } from "js-yaml";
import { type Bundle, loadBundle, validateBundle } from "../../../tools/olm-validate/validate.ts";
import { repoRoot } from "../../../tools/testenv/config.ts";
import { eventually } from "../../support/eventually.ts";
import { createNamespace, kubectl, uniqueName } from "../../support/keyport.ts";

const bundleDir = join(repoRoot, "deploy/olm");
const csvFile = join(bundleDir, "manifests/keyport.clusterserviceversion.yaml");
const csvCrd = join(repoRoot, "tools/olm-validate/operators.coreos.com_clusterserviceversions.yaml");
const namespace = uniqueName("olm");
let scratch: string;

function kubectlResult(args: readonly string[], input?: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: kubectl(args, input) };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

function errorsOf(bundle: Bundle): string[] {
  return validateBundle(bundle)
    .filter((f) => f.level === "error")
    .map((f) => f.message);
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), "keyport-olm-"));
  createNamespace(namespace);
});

after(() => rmSync(scratch, { recursive: true, force: true }));

describe("OLM bundle", () => {
  test("generated from deploy/crds by deploy/olm/generate.ts, and up to date", () => {
    execFileSync(process.execPath, [join(bundleDir, "generate.ts"), "--check"], { stdio: "pipe" });
    for (const file of readdirSync(join(repoRoot, "deploy/crds"))) {
      assert.equal(
        readFileSync(join(bundleDir, "manifests", file), "utf8"),
        readFileSync(join(repoRoot, "deploy/crds", file), "utf8"),
        `manifests/${file} is deploy/crds/${file}`,
      );
    }
  });

  test("the operator-framework checks find no error and no warning", () => {
    const findings = validateBundle(loadBundle(bundleDir));
    assert.deepEqual(findings, []);
  });

  test("install modes, least-privilege permissions and the watched namespaces", () => {
    const { csv } = loadBundle(bundleDir);
    assert.deepEqual(Object.fromEntries((csv.spec.installModes ?? []).map((m) => [m.type, m.supported])), {
      OwnNamespace: true,
      SingleNamespace: true,
      MultiNamespace: true,
      AllNamespaces: true,
    });
    // Namespaced rules only: OLM grants them per target namespace, cluster-wide only in AllNamespaces.
    assert.equal(csv.spec.install?.spec?.clusterPermissions, undefined);
    const deployment = csv.spec.install?.spec?.deployments?.[0] as unknown as {
      spec: {
        template: { spec: { containers: Array<{ env: Array<{ name: string; valueFrom?: unknown }> }> } };
      };
    };
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    assert.deepEqual(env.find((e) => e.name === "KEYPORT_WATCH_NAMESPACES")?.valueFrom, {
      fieldRef: { fieldPath: "metadata.annotations['olm.targetNamespaces']" },
    });
    const owned = csv.spec.customresourcedefinitions?.owned ?? [];
    assert.equal(owned.length, 7);
    for (const o of owned) {
      assert.ok((o.specDescriptors ?? []).length > 0, `${o.kind} has spec descriptors`);
      assert.ok((o.statusDescriptors ?? []).length > 0, `${o.kind} has status descriptors`);
    }
  });

  test("the checks catch a broken bundle", () => {
    const broken = loadBundle(bundleDir);
    const owned = broken.csv.spec.customresourcedefinitions?.owned ?? [];
    owned[0] = { ...(owned[0] as (typeof owned)[number]), version: "v9" };
    broken.csv.spec.installModes = [
      { type: "AllNamespaces", supported: false },
      { type: "AllNamespaces", supported: false },
    ];
    broken.csv.metadata = { ...broken.csv.metadata, name: "Keyport_v0" };
    broken.annotations = {
      ...broken.annotations,
      "operators.operatorframework.io.bundle.mediatype.v1": "helm",
    };
    const pki = owned.find((o) => o.kind === "VaultPKISecret");
    pki?.statusDescriptors?.push({ path: "noSuchField", "x-descriptors": [] });
    const errors = errorsOf(broken).join("\n");
    assert.match(errors, /owned CRD secrets\.hashicorp\.com\/v9\/\w+ not found in bundle/);
    assert.match(errors, /is present in bundle but not defined in CSV|example .* must have a provided API/);
    assert.match(errors, /duplicate install mode AllNamespaces/);
    assert.match(errors, /none of the install modes is supported/);
    assert.match(errors, /metadata.name Keyport_v0 is not a DNS-1123 subdomain/);
    assert.match(errors, /mediatype.v1 must be "registry\+v1"/);
    assert.match(errors, /VaultPKISecret statusDescriptor noSuchField is not a field of the CRD/);
  });

  test("the kube-apiserver accepts the CSV against operator-framework's published CSV schema", async () => {
    kubectl(["apply", "--server-side", "--force-conflicts", "-f", csvCrd]);
    // Polled: right after creation the CRD may have no conditions yet, which kubectl wait rejects.
    await eventually(
      () =>
        kubectl([
          "get",
          "crd/clusterserviceversions.operators.coreos.com",
          "-o",
          'jsonpath={.status.conditions[?(@.type=="Established")].status}',
        ]) === "True",
      { timeoutMs: 30_000, message: "CSV CRD established" },
    );
    const accepted = kubectlResult([
      "apply",
      "--server-side",
      "--dry-run=server",
      "-n",
      namespace,
      "-f",
      csvFile,
    ]);
    assert.ok(accepted.ok, accepted.output);
    assert.match(
      accepted.output,
      /clusterserviceversion.operators.coreos.com\/keyport.v0.1.0 serverside-applied/,
    );

    // The schema is enforced, not decorative: a CSV without spec.install is refused.
    const csv = load(readFileSync(csvFile, "utf8")) as { spec: Record<string, unknown> };
    delete csv.spec.install;
    const broken = join(scratch, "broken.csv.yaml");
    writeFileSync(broken, dump(csv));
    const refused = kubectlResult([
      "apply",
      "--server-side",
      "--dry-run=server",
      "-n",
      namespace,
      "-f",
      broken,
    ]);
    assert.equal(refused.ok, false);
    assert.match(refused.output, /spec.install: Required value/);
  });

  test("the bundle's CRDs apply server-side, and every alm-example is valid against them", () => {
    const crds = readdirSync(join(bundleDir, "manifests"))
      .filter((f) => f.startsWith("secrets.hashicorp.com_"))
      .map((f) => join(bundleDir, "manifests", f));
    assert.equal(crds.length, 7);
    for (const file of crds) kubectl(["apply", "--server-side", "--force-conflicts", "-f", file]);
    for (const file of crds) {
      const name = (load(readFileSync(file, "utf8")) as { metadata: { name: string } }).metadata.name;
      kubectl(["wait", "--for=condition=Established", `crd/${name}`, "--timeout=30s"]);
    }
    const { csv } = loadBundle(bundleDir);
    const examples = JSON.parse(csv.metadata?.annotations?.["alm-examples"] ?? "[]") as Array<{
      kind: string;
    }>;
    assert.equal(examples.length, 7);
    for (const example of examples) {
      const result = kubectlResult(
        ["apply", "--server-side", "--dry-run=server", "-n", namespace, "-f", "-"],
        JSON.stringify(example),
      );
      assert.ok(result.ok, `${example.kind}: ${result.output}`);
    }
  });
});
