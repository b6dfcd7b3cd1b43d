// Runs the operator the way users do — `keyport run` as its own process — against the test
// environment, and gives tests the few verbs they need: apply a manifest, write to Vault, read a
// Secret, scrape metrics.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { operatorNodeFlags } from "../../src/cli/node-flags.ts";
import { repoRoot } from "../../tools/testenv/config.ts";
import { callJson } from "../../tools/testenv/http.ts";
import { freePort } from "../../tools/testenv/ports.ts";
import { eventually } from "./eventually.ts";
import { observe, operatorLogFile } from "./hostile/secrecy.ts";
import { testEnv } from "./testenv.ts";

export interface KeyportProcess {
  child: ChildProcess;
  healthUrl: string;
  metricsUrl: string;
  output(): string;
  metrics(): Promise<string>;
  /** SIGTERM, then wait for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown work at all. */
  kill(): Promise<void>;
  /**
   * Started by stop() and kill(): the record of what this operator served and published, for the
   * secrecy scan. Await it before deleting the namespaces it served.
   */
  observed(): Promise<void>;
}

export interface KeyportOptions {
  operatorNamespace: string;
  watchNamespaces?: readonly string[];
  leaderElect?: boolean;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

const node = process.execPath;

export async function startKeyport(options: KeyportOptions): Promise<KeyportProcess> {
  const env = testEnv();
  const health = await freePort();
  const metrics = await freePort();
  const args = [
    ...operatorNodeFlags,
    join(repoRoot, "src/cli/keyport.ts"),
    "run",
    `--kubeconfig=${env.kube.kubeconfig}`,
    `--operator-namespace=${options.operatorNamespace}`,
    `--leader-elect=${options.leaderElect ?? false}`,
    `--health-probe-bind-address=127.0.0.1:${health}`,
    `--metrics-bind-address=127.0.0.1:${metrics}`,
    ...(options.watchNamespaces === undefined
      ? []
      : [`--watch-namespaces=${options.watchNamespaces.join(",")}`]),
    ...(options.args ?? []),
  ];
  const child = spawn(node, args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Every operator's output also goes to the run's secrecy directory, and what it served is
  // recorded when it ends: the secrecy scan (test/support/hostile/secrecy.ts) covers the whole run.
  const label = `${new Date().toISOString().replace(/[:.]/g, "-")}-${child.pid}`;
  const logFile = operatorLogFile(env.runDir, label);
  const record = (chunk: Buffer) => {
    output += chunk.toString();
    appendFileSync(logFile, chunk);
  };
  child.stdout?.on("data", record);
  child.stderr?.on("data", record);
  let observed: Promise<void> | undefined;
  const observeOnce = () => {
    observed ??= observe({
      runDir: env.runDir,
      kubectl: env.kube.kubectl,
      kubeconfig: env.kube.kubeconfig,
      namespaces: options.watchNamespaces,
      label,
    }).catch(() => undefined);
  };
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const healthUrl = `http://127.0.0.1:${health}`;
  const metricsUrl = `http://127.0.0.1:${metrics}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`keyport exited: ${output}`);
      return (await callJson("GET", `${healthUrl}/readyz`)).status === 200;
    },
    { timeoutMs: 30_000, message: "keyport ready" },
  );
  return {
    child,
    healthUrl,
    metricsUrl,
    output: () => output,
    metrics: async () => String((await callJson("GET", `${metricsUrl}/metrics`)).body),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      observeOnce();
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
      observeOnce();
    },
    observed: async () => {
      await observed;
    },
  };
}

/** Reads one sample of a metric from Prometheus text, e.g. metric(text, 'x_total{kind="a"}'). */
export function metricValue(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

export function kubectl(args: readonly string[], input?: string): string {
  const env = testEnv();
  return execFileSync(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], {
    encoding: "utf8",
    ...(input === undefined ? {} : { input }),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** kubectl apply -f - ; returns kubectl's output, throws with its stderr. */
export function apply(yaml: string): string {
  try {
    return kubectl(["apply", "-f", "-"], yaml);
  } catch (error) {
    throw new Error(
      `kubectl apply failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`,
    );
  }
}

let crdsInstalled = false;
export function installCrds(): void {
  if (crdsInstalled) return;
  kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(repoRoot, "deploy/crds")]);
  for (const file of [
    "vaultconnections",
    "vaultauths",
    "vaultauthglobals",
    "vaultstaticsecrets",
    "vaultdynamicsecrets",
    "vaultpkisecrets",
    "secrettransformations",
  ]) {
    kubectl(["wait", "--for=condition=Established", `crd/${file}.secrets.hashicorp.com`, "--timeout=30s"]);
  }
  crdsInstalled = true;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

export function createNamespace(name: string, serviceAccounts: readonly string[] = ["default"]): void {
  kubectl(["create", "namespace", name]);
  for (const sa of serviceAccounts) kubectl(["-n", name, "create", "serviceaccount", sa]);
}

export async function vault(
  method: "GET" | "POST" | "PUT" | "DELETE" | "LIST",
  path: string,
  body?: unknown,
  namespace?: string,
) {
  const env = testEnv();
  const res = await callJson(method, `${env.vault.addr}/v1/${path}`, {
    headers: { "x-vault-token": env.vault.token, ...(namespace ? { "x-vault-namespace": namespace } : {}) },
    body,
  });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { data?: Record<string, unknown> } | undefined;
}

export interface SecretView {
  metadata: {
    resourceVersion: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<Record<string, unknown>>;
  };
  type: string;
  data?: Record<string, string>;
}

export function getJson<T>(kind: string, namespace: string, name: string): T | undefined {
  try {
    return JSON.parse(kubectl(["-n", namespace, "get", kind, name, "-o", "json"])) as T;
  } catch (error) {
    if (/NotFound|not found/.test((error as { stderr?: string }).stderr ?? "")) return undefined;
    throw error;
  }
}

export function secretText(secret: SecretView | undefined): Record<string, string> | undefined {
  if (secret === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
}

/** Waits until the destination Secret's data satisfies `check`. */
export async function waitForSecret(
  namespace: string,
  name: string,
  check: (data: Record<string, string>, secret: SecretView) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<SecretView> {
  return eventually(
    () => {
      const secret = getJson<SecretView>("secret", namespace, name);
      return secret !== undefined && check(secretText(secret) ?? {}, secret) ? secret : undefined;
    },
    { timeoutMs, message: `Secret ${namespace}/${name}` },
  );
}

/** The standard setup most scenarios share: a VaultConnection and a kubernetes-auth VaultAuth named default. */
export function defaultConnectionAndAuth(operatorNamespace: string, role: string): string {
  const env = testEnv();
  return `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultConnection
metadata: {name: default, namespace: ${operatorNamespace}}
spec: {address: "${env.vault.addr}"}
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultAuth
metadata: {name: default, namespace: ${operatorNamespace}}
spec:
  method: kubernetes
  mount: kubernetes
  kubernetes: {role: ${role}, serviceAccount: default, audiences: [vault]}
`;
}

/** A Vault kubernetes-auth role bound to the default ServiceAccount of the given namespaces. */
export async function kubernetesRole(
  role: string,
  namespaces: readonly string[],
  policy = "keyport",
): Promise<void> {
  await vault("POST", `auth/kubernetes/role/${role}`, {
    bound_service_account_names: ["default"],
    bound_service_account_namespaces: namespaces,
    audience: "vault",
    token_policies: [policy],
    token_ttl: "1h",
  });
}

export { sleep };
