// Writes the OperatorHub (OLM) bundle: manifests/ holds the ClusterServiceVersion and the CRDs —
// read from deploy/crds, never copied by hand — and metadata/annotations.yaml says what it is.
// `--check` writes nothing and exits 1 when the checked-in bundle differs (the OLM test runs it).
//   node deploy/olm/generate.ts [--check]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dump, load, loadAll } from "js-yaml";

const root = join(import.meta.dirname, "..", "..");
const bundleDir = join(root, "deploy/olm");

const packageName = "keyport";
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const image = `ghcr.io/keyport/keyport:${version}`;
const serviceAccount = "keyport-controller-manager";
const channel = "stable";

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }>;
  };
}

interface Schema {
  description?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}

function crdFiles(): Array<{ file: string; content: string; crd: Crd }> {
  const dir = join(root, "deploy/crds");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const content = readFileSync(join(dir, file), "utf8");
      return { file, content, crd: load(content) as Crd };
    });
}

/** The schema node at a descriptor path (`a.b[0].c`), under spec or status. */
export function schemaAt(crd: Crd, root: "spec" | "status", path: string): Schema | undefined {
  let node: Schema | undefined = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.[root];
  for (const part of path.split(".")) {
    const name = part.replace(/\[\d*\]$/, "");
    node = node?.properties?.[name];
    if (part.endsWith("]")) node = node?.items;
  }
  return node;
}

const ui = "urn:alm:descriptor:com.tectonic.ui";
const k8s = "urn:alm:descriptor:io.kubernetes";
const text = `${ui}:text`;
const bool = `${ui}:booleanSwitch`;
const number = `${ui}:number`;
const advanced = `${ui}:advanced`;
const ref = (kind: string) => `${k8s}:secrets.hashicorp.com:v1beta1:${kind}`;

type Descriptor = [path: string, displayName: string, xDescriptors: string[]];

const destination: Descriptor[] = [
  ["destination.name", "Secret", [`${k8s}:Secret`]],
  ["destination.create", "Create the Secret", [bool]],
  ["destination.type", "Secret type", [text]],
  ["destination.overwrite", "Take over an existing Secret", [bool, advanced]],
  ["rolloutRestartTargets", "Restart on change", [advanced]],
];
const conditions: Descriptor = ["conditions", "Conditions", [`${k8s}.conditions`]];

/** What the console shows for each kind: the fields people set and read most. */
const descriptors: Record<string, { displayName: string; spec: Descriptor[]; status: Descriptor[] }> = {
  VaultConnection: {
    displayName: "Vault Connection",
    spec: [
      ["address", "Address", [text]],
      ["caCertSecretRef", "CA certificate Secret", [`${k8s}:Secret`]],
      ["tlsServerName", "TLS server name", [text, advanced]],
      ["skipTLSVerify", "Skip TLS verification", [bool, advanced]],
      ["clientCertSecretRef", "Client certificate Secret (mTLS)", [`${k8s}:Secret`, advanced]],
      ["timeout", "Request timeout", [text, advanced]],
    ],
    status: [["valid", "Valid", [text]], conditions],
  },
  VaultAuth: {
    displayName: "Vault Auth",
    spec: [
      ["vaultConnectionRef", "Vault connection", [ref("VaultConnection")]],
      ["method", "Method", [text]],
      ["mount", "Auth mount", [text]],
      ["namespace", "Vault namespace", [text]],
      ["allowedNamespaces", "Allowed namespaces", [advanced]],
      ["kubernetes.role", "Kubernetes role", [text]],
      ["kubernetes.serviceAccount", "Kubernetes service account", [`${k8s}:ServiceAccount`]],
      ["jwt.role", "JWT role", [text]],
      ["jwt.serviceAccount", "JWT service account", [`${k8s}:ServiceAccount`]],
      ["appRole.roleId", "AppRole role ID", [text, advanced]],
      ["appRole.secretRef", "AppRole secret ID Secret", [`${k8s}:Secret`, advanced]],
      ["vaultAuthGlobalRef.name", "Vault auth global", [ref("VaultAuthGlobal"), advanced]],
    ],
    status: [["valid", "Valid", [text]], ["error", "Error", [text]], conditions],
  },
  VaultAuthGlobal: {
    displayName: "Vault Auth Global",
    spec: [
      ["vaultConnectionRef", "Vault connection", [ref("VaultConnection")]],
      ["defaultAuthMethod", "Default method", [text]],
      ["defaultMount", "Default auth mount", [text]],
      ["defaultVaultNamespace", "Default Vault namespace", [text]],
      ["allowedNamespaces", "Allowed namespaces", [advanced]],
    ],
    status: [
      ["valid", "Valid", [text]],
      ["error", "Error", [text]],
    ],
  },
  VaultStaticSecret: {
    displayName: "Vault Static Secret",
    spec: [
      ["vaultAuthRef", "Vault auth", [ref("VaultAuth")]],
      ["mount", "KV mount", [text]],
      ["path", "Path", [text]],
      ["type", "KV version", [text]],
      ["version", "Version", [number, advanced]],
      ["refreshAfter", "Refresh interval", [text]],
      ["hmacSecretData", "Detect drift (HMAC)", [bool, advanced]],
      ["syncConfig.instantUpdates", "Instant updates", [bool, advanced]],
      ...destination,
    ],
    status: [["lastGeneration", "Last synced generation", [text]], conditions],
  },
  VaultPKISecret: {
    displayName: "Vault PKI Secret",
    spec: [
      ["vaultAuthRef", "Vault auth", [ref("VaultAuth")]],
      ["mount", "PKI mount", [text]],
      ["role", "Role", [text]],
      ["commonName", "Common name", [text]],
      ["altNames", "Alternative names", [text]],
      ["ttl", "TTL", [text]],
      ["expiryOffset", "Renew this long before expiry", [text, advanced]],
      ["renewBeforePercentage", "Renew at this percentage of the lifetime", [number, advanced]],
      ["revoke", "Revoke replaced certificates", [bool, advanced]],
      ...destination,
    ],
    status: [
      ["notAfter", "Expires", [text]],
      ["renewAt", "Renews at", [text]],
      ["serialNumber", "Serial number", [text]],
      ["valid", "Valid", [text]],
      ["error", "Error", [text]],
      conditions,
    ],
  },
  VaultDynamicSecret: {
    displayName: "Vault Dynamic Secret",
    spec: [
      ["vaultAuthRef", "Vault auth", [ref("VaultAuth")]],
      ["mount", "Secrets engine mount", [text]],
      ["path", "Path", [text]],
      ["renewalPercent", "Renew at this percentage of the lease", [number]],
      ["revoke", "Revoke leases when replaced or deleted", [bool]],
      ["allowStaticCreds", "Static-role credentials", [bool, advanced]],
      ["refreshAfter", "Refresh interval without a lease", [text, advanced]],
      ...destination,
    ],
    status: [
      ["lastRenewalTime", "Last renewal (unix)", [text]],
      ["secretLease.duration", "Lease duration (s)", [text]],
      ["secretLease.renewable", "Lease renewable", [text]],
      conditions,
    ],
  },
  SecretTransformation: {
    displayName: "Secret Transformation",
    spec: [
      ["templates", "Templates", [advanced]],
      ["includes", "Include keys", [advanced]],
      ["excludes", "Exclude keys", [advanced]],
    ],
    status: [["valid", "Valid", [text]], ["error", "Error", [text]], conditions],
  },
};

/** One example per kind for the console's "Create" form: the first of each in the API fixtures. */
function almExamples(): unknown[] {
  const fixtures = join(root, "test/fixtures/api/valid");
  const byKind = new Map<string, unknown>();
  for (const file of readdirSync(fixtures).sort()) {
    for (const doc of loadAll(readFileSync(join(fixtures, file), "utf8")) as Array<{ kind?: string }>) {
      if (doc?.kind !== undefined && !byKind.has(doc.kind)) byKind.set(doc.kind, doc);
    }
  }
  return Object.keys(descriptors).map((kind) => {
    const example = byKind.get(kind);
    if (example === undefined) throw new Error(`no example of ${kind} in test/fixtures/api/valid`);
    return example;
  });
}

/** What src/ calls, per resource (docs/install.md "RBAC" has the reasoning). Namespaced rules:
 * OLM grants them in the operator's namespace and every target namespace, cluster-wide only in
 * AllNamespaces mode. Keyport needs nothing cluster-scoped. */
const rules = [
  {
    apiGroups: ["secrets.hashicorp.com"],
    resources: [
      "vaultconnections",
      "vaultauths",
      "vaultstaticsecrets",
      "vaultdynamicsecrets",
      "vaultpkisecrets",
      "secrettransformations",
    ],
    verbs: ["get", "list", "watch", "patch"],
  },
  { apiGroups: ["secrets.hashicorp.com"], resources: ["vaultauthglobals"], verbs: ["get", "list", "watch"] },
  {
    apiGroups: ["secrets.hashicorp.com"],
    resources: [
      "vaultconnections/status",
      "vaultauths/status",
      "vaultstaticsecrets/status",
      "vaultdynamicsecrets/status",
      "vaultpkisecrets/status",
      "secrettransformations/status",
    ],
    verbs: ["get", "patch"],
  },
  { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "update", "delete"] },
  { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get"] },
  { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets"], verbs: ["get", "patch"] },
  { apiGroups: ["argoproj.io"], resources: ["rollouts"], verbs: ["get", "patch"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
];

const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });

const deployment = {
  name: "keyport-controller-manager",
  label: { "app.kubernetes.io/name": "keyport", "app.kubernetes.io/component": "controller" },
  spec: {
    replicas: 1,
    selector: {
      matchLabels: { "app.kubernetes.io/name": "keyport", "app.kubernetes.io/component": "controller" },
    },
    template: {
      metadata: {
        labels: { "app.kubernetes.io/name": "keyport", "app.kubernetes.io/component": "controller" },
        annotations: { "kubectl.kubernetes.io/default-container": "manager" },
      },
      spec: {
        serviceAccountName: serviceAccount,
        terminationGracePeriodSeconds: 60,
        // restricted-v2 assigns the user and group from the namespace's range: none is fixed here.
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "manager",
            image,
            imagePullPolicy: "IfNotPresent",
            args: [
              "run",
              "--health-probe-bind-address=:8081",
              "--metrics-bind-address=:8080",
              "--leader-elect=true",
            ],
            env: [
              { name: "OPERATOR_NAMESPACE", ...fieldRef("metadata.namespace") },
              { name: "OPERATOR_POD_NAME", ...fieldRef("metadata.name") },
              { name: "OPERATOR_POD_UID", ...fieldRef("metadata.uid") },
              // The OperatorGroup's target namespaces ("" in AllNamespaces mode: the whole cluster).
              {
                name: "KEYPORT_WATCH_NAMESPACES",
                ...fieldRef("metadata.annotations['olm.targetNamespaces']"),
              },
            ],
            ports: [
              { name: "metrics", containerPort: 8080, protocol: "TCP" },
              { name: "health", containerPort: 8081, protocol: "TCP" },
            ],
            livenessProbe: {
              httpGet: { path: "/healthz", port: "health" },
              initialDelaySeconds: 15,
              periodSeconds: 20,
            },
            readinessProbe: {
              httpGet: { path: "/readyz", port: "health" },
              initialDelaySeconds: 5,
              periodSeconds: 10,
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ["ALL"] },
            },
            resources: {
              requests: { cpu: "50m", memory: "256Mi" },
              limits: { cpu: "500m", memory: "640Mi" },
            },
          },
        ],
      },
    },
  },
};

const description = `Keyport delivers secrets from HashiCorp Vault and OpenBao into Kubernetes Secrets — static KV
secrets, dynamic leased credentials (databases, cloud, Kubernetes tokens) and PKI certificates —
keeps them fresh, repairs drift at once, renews leases and certificates before they lapse, and
restarts the workloads that use them. Applications stay Vault-unaware.

It serves the custom resources of HashiCorp's Vault Secrets Operator (\`secrets.hashicorp.com/v1beta1\`):
VaultConnection, VaultAuth, VaultAuthGlobal, VaultStaticSecret, VaultPKISecret, VaultDynamicSecret and
SecretTransformation. A cluster running VSO can replace it with Keyport and keep every manifest,
custom resource and Secret: same labels, finalizers and HMAC, so nothing is rewritten, re-issued or
restarted by the switch.

Beyond VSO: mTLS to Vault, PKI sign mode (the private key never leaves the cluster), keystores,
restarts that re-issue nothing, \`instantUpdates\` on any Vault or OpenBao, namespace-scoped installs
(OwnNamespace, SingleNamespace and MultiNamespace install modes: no cluster-wide Secret access),
and \`keyport status\` / \`kubectl keyport status\` for every resource at a glance.

**Install modes.** AllNamespaces serves the whole cluster. In OwnNamespace, SingleNamespace and
MultiNamespace mode Keyport serves exactly the OperatorGroup's target namespaces, with Roles only;
its \`default\` VaultConnection and VaultAuth are found only when the operator's own namespace is a
target, so in SingleNamespace mode give each VaultAuth an explicit \`vaultConnectionRef\`.
`;

function csv(crds: Crd[]): unknown {
  const owned = crds.flatMap((crd) => {
    const kind = crd.spec.names.kind;
    const d = descriptors[kind];
    if (d === undefined) throw new Error(`no descriptors for ${kind}`);
    const describe = (where: "spec" | "status", [path, displayName, xDescriptors]: Descriptor) => {
      const node = schemaAt(crd, where, path);
      if (node === undefined) throw new Error(`${kind}: ${where}.${path} is not in the CRD`);
      return {
        path,
        displayName,
        ...(node.description ? { description: node.description } : {}),
        "x-descriptors": xDescriptors,
      };
    };
    return [
      {
        name: crd.metadata.name,
        version: crd.spec.versions[0]?.name ?? "v1beta1",
        kind,
        displayName: d.displayName,
        description:
          crd.spec.versions[0]?.schema.openAPIV3Schema.description ?? `${kind} (secrets.hashicorp.com)`,
        specDescriptors: d.spec.map((x) => describe("spec", x)),
        statusDescriptors: d.status.map((x) => describe("status", x)),
        resources: [{ kind: "Secret", version: "v1", name: "" }],
      },
    ];
  });
  return {
    apiVersion: "operators.coreos.com/v1alpha1",
    kind: "ClusterServiceVersion",
    metadata: {
      name: `${packageName}.v${version}`,
      annotations: {
        "alm-examples": JSON.stringify(almExamples(), null, 2),
        capabilities: "Seamless Upgrades",
        categories: "Security",
        containerImage: image,
        description:
          "Vault and OpenBao secrets, leases and certificates in Kubernetes Secrets; a drop-in for VSO.",
        repository: "https://github.com/keyport/keyport",
        support: "Keyport",
        "operatorframework.io/suggested-namespace": "keyport",
        "operators.openshift.io/valid-subscription": "[]",
        "features.operators.openshift.io/disconnected": "true",
        "features.operators.openshift.io/fips-compliant": "false",
        "features.operators.openshift.io/proxy-aware": "false",
        "features.operators.openshift.io/tls-profiles": "false",
        "features.operators.openshift.io/token-auth-aws": "false",
        "features.operators.openshift.io/token-auth-azure": "false",
        "features.operators.openshift.io/token-auth-gcp": "false",
        "features.operators.openshift.io/cnf": "false",
        "features.operators.openshift.io/cni": "false",
        "features.operators.openshift.io/csi": "false",
      },
      labels: {
        "operatorframework.io/arch.amd64": "supported",
        "operatorframework.io/os.linux": "supported",
      },
    },
    spec: {
      displayName: "Keyport",
      description,
      version,
      minKubeVersion: "1.27.0",
      maturity: "alpha",
      provider: { name: "Keyport" },
      maintainers: [{ name: "Keyport", email: "keyport@example.com" }],
      links: [{ name: "Documentation", url: "https://github.com/keyport/keyport/tree/main/docs" }],
      keywords: ["vault", "openbao", "secrets", "pki", "certificates", "vso", "dynamic secrets"],
      icon: [{ base64data: iconSvg, mediatype: "image/svg+xml" }],
      installModes: [
        { type: "OwnNamespace", supported: true },
        { type: "SingleNamespace", supported: true },
        { type: "MultiNamespace", supported: true },
        { type: "AllNamespaces", supported: true },
      ],
      customresourcedefinitions: { owned },
      install: {
        strategy: "deployment",
        spec: {
          permissions: [{ serviceAccountName: serviceAccount, rules }],
          deployments: [deployment],
        },
      },
      relatedImages: [{ name: "keyport", image }],
    },
  };
}

/** A plain key on a dark tile; base64 of the SVG below. */
const iconSvg = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#1f2937"/><circle cx="24" cy="32" r="10" fill="none" stroke="#fbbf24" stroke-width="5"/><path d="M34 32h20v8M46 32v6" fill="none" stroke="#fbbf24" stroke-width="5" stroke-linecap="round"/></svg>`,
).toString("base64");

const annotations = {
  annotations: {
    "operators.operatorframework.io.bundle.mediatype.v1": "registry+v1",
    "operators.operatorframework.io.bundle.manifests.v1": "manifests/",
    "operators.operatorframework.io.bundle.metadata.v1": "metadata/",
    "operators.operatorframework.io.bundle.package.v1": packageName,
    "operators.operatorframework.io.bundle.channels.v1": channel,
    "operators.operatorframework.io.bundle.channel.default.v1": channel,
    "com.redhat.openshift.versions": "v4.14",
  },
};

const yamlOptions = { lineWidth: -1, noRefs: true, quotingType: '"' } as const;
const header = "# Generated by deploy/olm/generate.ts from deploy/crds and src/: do not edit.\n";

/** Every file of the bundle, by path relative to deploy/olm. */
export function bundleFiles(): Map<string, string> {
  const crds = crdFiles();
  const files = new Map<string, string>();
  for (const { file, content } of crds) files.set(`manifests/${file}`, content);
  files.set(
    `manifests/${packageName}.clusterserviceversion.yaml`,
    `${header}${dump(csv(crds.map((c) => c.crd)), yamlOptions)}`,
  );
  files.set("metadata/annotations.yaml", `${header}${dump(annotations, yamlOptions)}`);
  return files;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
  const files = bundleFiles();
  const stale: string[] = [];
  for (const dir of ["manifests", "metadata"]) {
    const path = join(bundleDir, dir);
    for (const name of existsSync(path) ? readdirSync(path) : []) {
      if (!files.has(`${dir}/${name}`)) stale.push(`${dir}/${name}`);
    }
  }
  const changed = [...files].filter(([name, content]) => {
    const path = join(bundleDir, name);
    return !existsSync(path) || readFileSync(path, "utf8") !== content;
  });
  if (values.check) {
    for (const name of stale) console.error(`deploy/olm/${name}: not generated any more`);
    for (const [name] of changed) console.error(`deploy/olm/${name}: out of date`);
    if (stale.length > 0 || changed.length > 0) {
      console.error("run: npm run olm:bundle");
      process.exitCode = 1;
    }
  } else {
    for (const name of stale) rmSync(join(bundleDir, name));
    for (const [name, content] of files) {
      mkdirSync(join(bundleDir, name, ".."), { recursive: true });
      writeFileSync(join(bundleDir, name), content);
    }
    console.log(`deploy/olm: ${files.size} files (${changed.length} changed)`);
  }
}
