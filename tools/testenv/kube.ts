// etcd + kube-apiserver (+ optional kube-controller-manager) on loopback, in the envtest model,
// plus what envtest lacks: TokenRequest/TokenReview for Vault's kubernetes auth, OIDC discovery
// and JWKS served anonymously, and an issuer without a trailing slash (Vault compares it exactly).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, request } from "undici";
import type { Binaries } from "./config.ts";
import { callJson } from "./http.ts";
import type { Pki } from "./pki.ts";
import { freePort } from "./ports.ts";
import { startProcess, stopNamed, waitFor } from "./processes.ts";

export interface KubeEnv {
  apiUrl: string;
  etcdUrl: string;
  issuer: string;
  kubeconfig: string;
  kubectl: string;
  caFile: string;
  version: string;
  controllerManager: boolean;
  /** A long-lived token of vault-system/vault-token-reviewer (system:auth-delegator). */
  reviewerJwt: string;
  /**
   * A long-lived token of vault-system/vault-secrets-engine, which Vault's kubernetes secrets
   * engine uses to mint ServiceAccount tokens (cluster-admin: test environment only).
   */
  secretsEngineJwt: string;
}

export async function startKube(
  runDir: string,
  bins: Binaries,
  pki: Pki,
  options: { controllerManager: boolean },
): Promise<KubeEnv> {
  const etcdPort = await freePort();
  const etcdPeer = await freePort();
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcd = startProcess({
    name: "etcd",
    command: bins.etcd,
    runDir,
    args: [
      "--name=testenv",
      `--data-dir=${join(runDir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=testenv=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
  });
  await waitFor("etcd", async () => (await callJson("GET", `${etcdUrl}/health`)).status === 200, {
    record: etcd,
    runDir,
  });

  const port = await freePort();
  const apiUrl = `https://127.0.0.1:${port}`;
  const auditPolicy = join(runDir, "audit-policy.yaml");
  writeFileSync(auditPolicy, auditPolicyYaml);
  const launch: ApiserverLaunch = {
    command: bins.kubeApiserver,
    apiUrl,
    caFile: pki.kubeCa,
    args: [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${join(runDir, "apiserver-certs")}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.kubeClientCa}`,
      "--authorization-mode=RBAC",
      "--anonymous-auth=true",
      "--service-cluster-ip-range=10.0.0.0/24",
      "--allow-privileged=true",
      // Without kube-controller-manager no namespace gets a default ServiceAccount to admit pods with.
      ...(options.controllerManager ? [] : ["--disable-admission-plugins=ServiceAccount"]),
      "--endpoint-reconciler-type=none",
      `--service-account-issuer=${apiUrl}`,
      // Like a real cluster (and OpenShift): tokens requested without an audience carry the
      // in-cluster API name, which seed 000's JWT role binds to.
      `--api-audiences=https://kubernetes.default.svc,${apiUrl}`,
      `--service-account-jwks-uri=${apiUrl}/openid/v1/jwks`,
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      // Writes made by ServiceAccounts to Secrets, our custom resources and Leases (see
      // auditPolicyYaml): fault-injection tests tell two operator replicas apart by them.
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${join(runDir, "logs", "audit.log")}`,
      "--audit-log-format=json",
      "--audit-log-mode=blocking",
      "--profiling=false",
      "--v=0",
    ],
  };
  writeFileSync(join(runDir, "kube-apiserver.json"), `${JSON.stringify(launch, null, 2)}\n`);
  await launchApiserver(runDir, launch);
  const tls = { ca: pki.kubeCa };
  const version = (await callJson("GET", `${apiUrl}/version`, { tls })).body as { gitVersion: string };

  const kubeconfig = join(runDir, "admin.kubeconfig");
  writeFileSync(kubeconfig, adminKubeconfig(apiUrl, pki));
  const kubectl = (...args: string[]) =>
    execFileSync(bins.kubectl, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
  const bootstrap = join(runDir, "bootstrap.yaml");
  writeFileSync(bootstrap, bootstrapManifest);
  kubectl("apply", "--server-side", "-f", bootstrap);
  const reviewerJwt = kubectl(
    "create",
    "token",
    "vault-token-reviewer",
    "-n",
    "vault-system",
    "--duration=48h",
  ).trim();
  const secretsEngineJwt = kubectl(
    "create",
    "token",
    "vault-secrets-engine",
    "-n",
    "vault-system",
    "--duration=48h",
  ).trim();

  if (options.controllerManager) await startControllerManager(runDir, bins, pki, kubeconfig);

  return {
    apiUrl,
    etcdUrl,
    issuer: apiUrl,
    kubeconfig,
    kubectl: bins.kubectl,
    caFile: pki.kubeCa,
    version: version.gitVersion,
    controllerManager: options.controllerManager,
    reviewerJwt,
    secretsEngineJwt,
  };
}

/** How the apiserver was started: startApiserver starts it again exactly so (same port, flags, PKI). */
interface ApiserverLaunch {
  command: string;
  args: string[];
  apiUrl: string;
  caFile: string;
}

async function launchApiserver(runDir: string, launch: ApiserverLaunch): Promise<void> {
  const apiserver = startProcess({
    name: "kube-apiserver",
    command: launch.command,
    args: launch.args,
    runDir,
  });
  await waitFor(
    "kube-apiserver",
    async () =>
      (await callJson("GET", `${launch.apiUrl}/readyz`, { tls: { ca: launch.caFile } })).status === 200,
    { record: apiserver, runDir, timeoutMs: 120_000 },
  );
}

/** Stops the environment's kube-apiserver (SIGTERM, SIGKILL after 5 s); etcd keeps running. */
export async function stopApiserver(runDir: string): Promise<void> {
  // It drains long-running requests for a while on SIGTERM; 5 s is as long as tests wait for that.
  await stopNamed(runDir, "kube-apiserver", 5_000);
}

/** Starts the kube-apiserver again with the flags and port of `up`, and waits until it is ready. */
export async function startApiserver(runDir: string): Promise<void> {
  const launch = JSON.parse(readFileSync(join(runDir, "kube-apiserver.json"), "utf8")) as ApiserverLaunch;
  await launchApiserver(runDir, launch);
}

async function startControllerManager(runDir: string, bins: Binaries, pki: Pki, kubeconfig: string) {
  const port = await freePort();
  mkdirSync(join(runDir, "kcm-certs"), { recursive: true });
  const kcm = startProcess({
    name: "kube-controller-manager",
    command: bins.kubeControllerManager,
    runDir,
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics",
      "--bind-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${join(runDir, "kcm-certs")}`,
      "--leader-elect=false",
      "--use-service-account-credentials=false",
      `--root-ca-file=${pki.kubeCa}`,
      `--service-account-private-key-file=${pki.saKey}`,
      "--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service,-route",
      "--kube-api-qps=1000",
      "--kube-api-burst=2000",
      "--v=0",
    ],
  });
  // Its serving certificate is self-signed into cert-dir, so the probe does not verify it.
  await waitFor("kube-controller-manager", () => probeInsecure(port), {
    record: kcm,
    runDir,
    timeoutMs: 120_000,
  });
}

async function probeInsecure(port: number): Promise<boolean> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await request(`https://127.0.0.1:${port}/healthz`, { dispatcher: agent });
    await res.body.text();
    return res.statusCode === 200;
  } finally {
    await agent.close();
  }
}

function adminKubeconfig(apiUrl: string, pki: Pki): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: ${apiUrl}
    certificate-authority: ${pki.kubeCa}
users:
- name: testenv-admin
  user:
    client-certificate: ${pki.adminCert}
    client-key: ${pki.adminKey}
contexts:
- name: testenv
  context:
    cluster: testenv
    user: testenv-admin
current-context: testenv
`;
}

// Metadata of writes by ServiceAccounts only (operators under test with their own identities; the
// admin certificate that tests and most operator runs use is not logged), to the kinds a secrets
// operator writes. Vault's TokenReviews and everything else: not logged.
const auditPolicyYaml = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  userGroups: ["system:serviceaccounts"]
  verbs: [create, update, patch, delete]
  resources:
  - group: ""
    resources: [secrets]
  - group: secrets.hashicorp.com
  - group: coordination.k8s.io
    resources: [leases]
- level: None
`;

// Vault fetches discovery documents anonymously; the reviewer SA performs TokenReviews for
// Vault's kubernetes auth; the secrets-engine SA lets Vault's kubernetes secrets engine issue
// ServiceAccount tokens (bound to cluster-admin: a test environment only); "demo" is the identity
// the smoke tests log in as.
const bootstrapManifest = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: testenv-oidc-discovery-anonymous
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:service-account-issuer-discovery
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: system:unauthenticated
---
apiVersion: v1
kind: Namespace
metadata:
  name: vault-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: vault-token-reviewer
  namespace: vault-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: testenv-token-reviewer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:auth-delegator
subjects:
- kind: ServiceAccount
  name: vault-token-reviewer
  namespace: vault-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: vault-secrets-engine
  namespace: vault-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: testenv-vault-secrets-engine
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: vault-secrets-engine
  namespace: vault-system
---
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: demo
  namespace: demo
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: demo
`;
