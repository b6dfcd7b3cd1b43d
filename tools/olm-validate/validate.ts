// Validates an OLM bundle (registry+v1: manifests/ + metadata/annotations.yaml) with the checks of
// operator-framework's own validators (github.com/operator-framework/api, pkg/validation: the
// default set operator-sdk `bundle validate` runs — bundle, CSV, CRD, annotations — and the
// optional OperatorHub and good-practices ones), re-implemented here because the Go module proxy
// refuses github.com/operator-framework/api (403 "not available"; README.md). The schema part is
// not re-implemented: olm-bundle.test.ts has a real kube-apiserver check the CSV against the
// published ClusterServiceVersion CRD (operators.coreos.com_clusterserviceversions.yaml here).
//   node tools/olm-validate/validate.ts deploy/olm

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { load, loadAll } from "js-yaml";

export interface Finding {
  level: "error" | "warning";
  validator: "bundle" | "csv" | "crd" | "annotations" | "operatorhub" | "good-practices";
  message: string;
}

interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface Csv extends Manifest {
  spec: {
    version?: string;
    minKubeVersion?: string;
    displayName?: string;
    description?: string;
    provider?: { name?: string };
    maintainers?: Array<{ name?: string; email?: string }>;
    links?: Array<{ name?: string; url?: string }>;
    icon?: Array<{ base64data?: string; mediatype?: string }>;
    installModes?: Array<{ type: string; supported: boolean }>;
    customresourcedefinitions?: {
      owned?: Array<{
        name: string;
        version: string;
        kind: string;
        displayName?: string;
        description?: string;
        specDescriptors?: Array<{ path: string; displayName?: string; "x-descriptors"?: string[] }>;
        statusDescriptors?: Array<{ path: string; displayName?: string; "x-descriptors"?: string[] }>;
      }>;
    };
    install?: {
      strategy?: string;
      spec?: {
        permissions?: Array<{ serviceAccountName: string; rules: unknown[] }>;
        clusterPermissions?: Array<{ serviceAccountName: string; rules: unknown[] }>;
        deployments?: Array<{
          name: string;
          spec: {
            template: {
              spec: {
                serviceAccountName?: string;
                containers: Array<{ name: string; image?: string; resources?: { requests?: object } }>;
              };
            };
          };
        }>;
      };
    };
    relatedImages?: Array<{ name?: string; image?: string }>;
    webhookdefinitions?: unknown[];
  };
}

interface Crd extends Manifest {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: Array<{ name: string; served: boolean; storage: boolean; schema?: unknown }>;
  };
}

// k8s.io/apimachinery's IsDNS1123Subdomain and IsValidLabelValue.
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// blang/semver (no leading "v").
const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// distribution/reference's grammar, simplified: [domain/]path[:tag][@digest].
const imageReference =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const standardCategories = new Set([
  "AI/Machine Learning",
  "Application Runtime",
  "Big Data",
  "Cloud Provider",
  "Developer Tools",
  "Database",
  "Integration & Delivery",
  "Logging & Tracing",
  "Monitoring",
  "Modernization & Migration",
  "Networking",
  "OpenShift Optional",
  "Security",
  "Storage",
  "Streaming & Messaging",
  "Observability",
]);
const capabilityLevels = new Set([
  "Basic Install",
  "Seamless Upgrades",
  "Full Lifecycle",
  "Deep Insights",
  "Auto Pilot",
]);
const iconMediaTypes = new Set(["image/gif", "image/jpeg", "image/png", "image/svg+xml"]);
const installModeTypes = new Set(["OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces"]);
/** pkg/manifests' bundle loader accepts these kinds in manifests/ (plus the CSV and CRDs). */
const supportedKinds = new Set([
  "ClusterServiceVersion",
  "CustomResourceDefinition",
  "Secret",
  "ClusterRole",
  "ClusterRoleBinding",
  "ConfigMap",
  "ServiceAccount",
  "Service",
  "Role",
  "RoleBinding",
  "PrometheusRule",
  "ServiceMonitor",
  "PodDisruptionBudget",
  "PriorityClass",
  "VerticalPodAutoscaler",
  "ConsoleYAMLSample",
  "ConsoleQuickStart",
  "ConsoleCLIDownload",
  "ConsoleLink",
  "NetworkPolicy",
]);
const maxCompressedBundleBytes = 1 << 20;

export interface Bundle {
  dir: string;
  csv: Csv;
  crds: Crd[];
  others: Manifest[];
  annotations: Record<string, string>;
  /** Bytes of manifests/ and metadata/, raw and gzipped (OLM stores a bundle in one ConfigMap). */
  size: number;
  compressedSize: number;
}

export function loadBundle(dir: string): Bundle {
  const manifestsDir = join(dir, "manifests");
  const docs: Manifest[] = [];
  const raw: Buffer[] = [];
  for (const file of readdirSync(manifestsDir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const content = readFileSync(join(manifestsDir, file));
    raw.push(content);
    for (const doc of loadAll(content.toString("utf8")) as Manifest[]) if (doc) docs.push(doc);
  }
  const annotationsFile = join(dir, "metadata/annotations.yaml");
  const annotationsRaw = existsSync(annotationsFile) ? readFileSync(annotationsFile) : Buffer.alloc(0);
  raw.push(annotationsRaw);
  const all = Buffer.concat(raw);
  const csvs = docs.filter((d) => d.kind === "ClusterServiceVersion");
  if (csvs.length !== 1) throw new Error(`manifests/ holds ${csvs.length} ClusterServiceVersions, want 1`);
  return {
    dir,
    csv: csvs[0] as Csv,
    crds: docs.filter((d) => d.kind === "CustomResourceDefinition") as Crd[],
    others: docs.filter((d) => d.kind !== "ClusterServiceVersion" && d.kind !== "CustomResourceDefinition"),
    annotations:
      (load(annotationsRaw.toString("utf8")) as { annotations?: Record<string, string> } | undefined)
        ?.annotations ?? {},
    size: all.length,
    compressedSize: gzipSync(all).length,
  };
}

export function validateBundle(bundle: Bundle): Finding[] {
  const findings: Finding[] = [];
  const add = (level: Finding["level"], validator: Finding["validator"], message: string) =>
    findings.push({ level, validator, message });
  const { csv, crds } = bundle;
  const name = csv.metadata?.name ?? "";
  const annotations = csv.metadata?.annotations ?? {};

  // --- annotations (metadata/annotations.yaml; operator-registry's bundle format) ---------------
  const a = bundle.annotations;
  const required = {
    "operators.operatorframework.io.bundle.mediatype.v1": "registry+v1",
    "operators.operatorframework.io.bundle.manifests.v1": "manifests/",
    "operators.operatorframework.io.bundle.metadata.v1": "metadata/",
  };
  for (const [key, value] of Object.entries(required)) {
    if (a[key] !== value)
      add("error", "annotations", `${key} must be ${JSON.stringify(value)}, is ${a[key]}`);
  }
  const pkg = a["operators.operatorframework.io.bundle.package.v1"];
  if (!pkg) add("error", "annotations", "operators.operatorframework.io.bundle.package.v1 is missing");
  const channels = (a["operators.operatorframework.io.bundle.channels.v1"] ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  if (channels.length === 0)
    add("error", "annotations", "operators.operatorframework.io.bundle.channels.v1 is empty");
  const defaultChannel = a["operators.operatorframework.io.bundle.channel.default.v1"];
  if (defaultChannel !== undefined && !channels.includes(defaultChannel)) {
    add(
      "error",
      "annotations",
      `default channel ${defaultChannel} is not one of the channels ${channels.join(",")}`,
    );
  }
  for (const channel of channels) {
    if (!["alpha", "beta", "stable", "fast", "candidate"].some((p) => channel.startsWith(p))) {
      add(
        "warning",
        "good-practices",
        `channel ${channel} does not follow the alpha/beta/stable/fast/candidate naming`,
      );
    }
  }
  for (const key of Object.keys(annotations)) {
    // ValidateAnnotationNames: olm.* and operatorframework.io annotation names are case-sensitive.
    const lower = key.toLowerCase();
    if (lower !== key && (lower.startsWith("olm.") || lower.includes("operatorframework.io"))) {
      add("error", "csv", `annotation ${key} must be lower case`);
    }
  }

  // --- CSV ------------------------------------------------------------------------------------
  if (csv.apiVersion !== "operators.coreos.com/v1alpha1") add("error", "csv", `apiVersion ${csv.apiVersion}`);
  if (!dns1123Subdomain.test(name) || name.length > 253)
    add("error", "csv", `metadata.name ${name} is not a DNS-1123 subdomain`);
  if (name.length > 63 || !labelValue.test(name))
    add("error", "csv", `metadata.name ${name} is not a valid label value`);
  if (pkg && !name.startsWith(`${pkg}.`))
    add("warning", "good-practices", `CSV name ${name} does not start with the package name ${pkg}.`);
  const version = csv.spec.version ?? "";
  if (!semver.test(version)) add("error", "csv", `spec.version ${JSON.stringify(version)} is not semver`);
  if (!csv.spec.minKubeVersion) add("warning", "csv", "spec.minKubeVersion is not set");
  else if (!semver.test(csv.spec.minKubeVersion))
    add("error", "csv", `spec.minKubeVersion ${csv.spec.minKubeVersion} is not semver`);

  const modes = csv.spec.installModes ?? [];
  if (modes.length === 0) add("error", "csv", "install modes not found");
  const seen = new Set<string>();
  for (const mode of modes) {
    if (!installModeTypes.has(mode.type)) add("error", "csv", `unknown install mode ${mode.type}`);
    if (seen.has(mode.type)) add("error", "csv", `duplicate install mode ${mode.type}`);
    seen.add(mode.type);
  }
  if (!modes.some((m) => m.supported)) add("error", "csv", "none of the install modes is supported");

  const owned = csv.spec.customresourcedefinitions?.owned ?? [];
  const provided = new Set<string>();
  for (const o of owned) {
    const dot = o.name.indexOf(".");
    if (dot < 0) {
      add("error", "csv", `owned CRD name ${o.name} is not plural.group`);
      continue;
    }
    provided.add(`${o.name.slice(dot + 1)}/${o.version}/${o.kind}`);
  }
  const examplesText = annotations["alm-examples"] ?? annotations["olm.examples"];
  if (examplesText === undefined) add("warning", "csv", "example annotations not found");
  else {
    let examples: Manifest[] = [];
    try {
      examples = JSON.parse(examplesText) as Manifest[];
    } catch (error) {
      add("error", "csv", `alm-examples is not valid JSON: ${(error as Error).message}`);
    }
    const exampleSet = new Set(examples.map((e) => `${e.apiVersion}/${e.kind}`));
    for (const e of exampleSet) {
      if (!provided.has(e)) add("error", "csv", `example ${e} must have a provided API`);
    }
    for (const p of provided) {
      if (!exampleSet.has(p)) add("warning", "csv", `provided API ${p} should have an example annotation`);
    }
  }

  // --- bundle: owned CRDs against the CRDs in manifests/ ---------------------------------------
  const bundleKeys = new Map<string, Crd>();
  for (const crd of crds) {
    if (crd.apiVersion !== "apiextensions.k8s.io/v1")
      add("error", "crd", `${crd.metadata?.name}: apiVersion ${crd.apiVersion}`);
    if (crd.metadata?.name !== `${crd.spec.names.plural}.${crd.spec.group}`) {
      add("error", "crd", `${crd.metadata?.name}: name must be <plural>.<group>`);
    }
    if (crd.spec.versions.filter((v) => v.storage).length !== 1)
      add("error", "crd", `${crd.metadata?.name}: one storage version`);
    for (const v of crd.spec.versions) {
      const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
      if (bundleKeys.has(key)) add("error", "bundle", `duplicate CRD ${key}`);
      bundleKeys.set(key, crd);
      if (v.schema === undefined) add("error", "crd", `${key}: no schema`);
    }
  }
  for (const key of provided) {
    if (!bundleKeys.has(key)) add("error", "bundle", `owned CRD ${key} not found in bundle`);
  }
  for (const key of bundleKeys.keys()) {
    const [group, , kind] = key.split("/");
    if (![...provided].some((p) => p.startsWith(`${group}/`) && p.endsWith(`/${kind}`))) {
      add("error", "bundle", `CRD ${key} is present in bundle but not defined in CSV`);
    }
  }
  // Descriptor paths must exist in the owned CRD's schema, or the console shows nothing.
  for (const o of owned) {
    const crd = bundleKeys.get(`${o.name.slice(o.name.indexOf(".") + 1)}/${o.version}/${o.kind}`);
    if (!o.displayName) add("warning", "good-practices", `owned CRD ${o.kind} has no displayName`);
    if (!o.description) add("warning", "good-practices", `owned CRD ${o.kind} has no description`);
    if (crd === undefined) continue;
    const top = (
      crd.spec.versions.find((v) => v.name === o.version)?.schema as {
        openAPIV3Schema?: { properties?: Record<string, SchemaNode> };
      }
    )?.openAPIV3Schema?.properties;
    for (const [where, list] of [
      ["spec", o.specDescriptors ?? []],
      ["status", o.statusDescriptors ?? []],
    ] as const) {
      for (const d of list) {
        if (schemaNode(top?.[where], d.path) === undefined) {
          add("error", "crd", `${o.kind} ${where}Descriptor ${d.path} is not a field of the CRD`);
        }
        for (const x of d["x-descriptors"] ?? []) {
          if (!x.startsWith("urn:alm:descriptor:"))
            add("error", "csv", `${o.kind} ${d.path}: x-descriptor ${x}`);
        }
      }
    }
  }

  // --- install strategy ----------------------------------------------------------------------
  const install = csv.spec.install;
  if (install?.strategy !== "deployment") add("error", "csv", "spec.install.strategy must be deployment");
  const deployments = install?.spec?.deployments ?? [];
  if (deployments.length === 0) add("error", "csv", "no deployment in spec.install.spec.deployments");
  const serviceAccounts = new Set(
    deployments.map((d) => d.spec.template.spec.serviceAccountName ?? "default"),
  );
  for (const p of [...(install?.spec?.permissions ?? []), ...(install?.spec?.clusterPermissions ?? [])]) {
    if (!serviceAccounts.has(p.serviceAccountName)) {
      add("error", "csv", `permissions for ${p.serviceAccountName}, which no deployment uses`);
    }
  }
  for (const other of bundle.others) {
    if (!supportedKinds.has(other.kind ?? ""))
      add("error", "bundle", `manifests/ holds an unsupported ${other.kind}`);
    if (other.kind === "ServiceAccount" && serviceAccounts.has(other.metadata?.name ?? "")) {
      add(
        "error",
        "bundle",
        `ServiceAccount ${other.metadata?.name} is also the CSV's: remove it from manifests/`,
      );
    }
  }
  for (const d of deployments) {
    for (const c of d.spec.template.spec.containers) {
      if (!c.resources?.requests)
        add("warning", "good-practices", `${d.name}/${c.name} sets no resource requests`);
      if (c.image !== undefined && !imageReference.test(c.image))
        add("error", "bundle", `invalid image ${c.image}`);
    }
  }
  for (const [i, r] of (csv.spec.relatedImages ?? []).entries()) {
    if (!r.image) add("error", "bundle", `relatedImages[${i}] has an empty image`);
    else if (!imageReference.test(r.image))
      add("error", "bundle", `relatedImages[${i}] ${r.image} is not an image reference`);
  }
  if ((csv.spec.webhookdefinitions ?? []).length > 0)
    add("warning", "csv", "webhook definitions are not expected");

  // --- size: OLM unpacks a bundle into one ConfigMap --------------------------------------------
  if (bundle.compressedSize > maxCompressedBundleBytes)
    add("error", "bundle", `bundle is ${bundle.compressedSize} bytes gzipped, over 1 MiB`);
  else if (bundle.compressedSize > 0.85 * maxCompressedBundleBytes)
    add("warning", "bundle", "bundle is near 1 MiB gzipped");

  // --- OperatorHub ---------------------------------------------------------------------------
  if (!csv.spec.provider?.name?.trim()) add("error", "operatorhub", "csv.Spec.Provider.Name not specified");
  if (!csv.spec.displayName) add("error", "operatorhub", "csv.Spec.DisplayName not specified");
  if (!csv.spec.description) add("error", "operatorhub", "csv.Spec.Description not specified");
  for (const m of csv.spec.maintainers ?? []) {
    if (!m.name || !m.email || !/^[^@\s]+@[^@\s]+$/.test(m.email))
      add("error", "operatorhub", "maintainers need a name and a valid email");
  }
  for (const l of csv.spec.links ?? []) {
    if (!l.name || !l.url || !/^https?:\/\/\S+$/.test(l.url))
      add("error", "operatorhub", "links need a name and a valid url");
  }
  const icons = csv.spec.icon ?? [];
  if (icons.length === 0) add("warning", "operatorhub", "csv.Spec.Icon not specified");
  else if (icons.length !== 1) add("error", "operatorhub", "csv.Spec.Icon should only have one element");
  for (const icon of icons) {
    if (!icon.base64data || !icon.mediatype) add("error", "operatorhub", "icon needs data and mediatype");
    else if (!iconMediaTypes.has(icon.mediatype))
      add("error", "operatorhub", `icon mediatype ${icon.mediatype}`);
  }
  const capability = annotations.capabilities;
  if (capability !== undefined && !capabilityLevels.has(capability))
    add("error", "operatorhub", `capabilities ${capability}`);
  for (const category of (annotations.categories ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean)) {
    if (!standardCategories.has(category))
      add("error", "operatorhub", `category ${category} is not a standard category`);
  }
  return findings;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

function schemaNode(node: SchemaNode | undefined, path: string): SchemaNode | undefined {
  let current = node;
  for (const part of path.split(".")) {
    const field = part.replace(/\[\d*\]$/, "");
    current = current?.properties?.[field];
    if (part.endsWith("]")) current = current?.items;
  }
  return current;
}

if (import.meta.main) {
  const dir = process.argv[2] ?? "deploy/olm";
  const findings = validateBundle(loadBundle(dir));
  for (const f of findings) console.log(`${f.level.toUpperCase()} [${f.validator}] ${f.message}`);
  const errors = findings.filter((f) => f.level === "error").length;
  console.log(`${dir}: ${errors} errors, ${findings.length - errors} warnings`);
  process.exitCode = errors > 0 ? 1 : 0;
}
