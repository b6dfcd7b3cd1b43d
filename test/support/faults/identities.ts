// Operator replicas with identities of their own, so that the apiserver's audit log says which
// replica made each write: one ServiceAccount per replica (bound to cluster-admin for the test's
// lifetime), a token kubeconfig for each. The audit policy (tools/testenv/kube.ts) records the
// metadata of writes made by ServiceAccounts to Secrets, our resources and Leases.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectl } from "../keyport.ts";
import { testEnv } from "../testenv.ts";

export interface ReplicaIdentity {
  name: string;
  username: string;
  kubeconfig: string;
}

export interface Identities {
  replicas: ReplicaIdentity[];
  remove(): void;
}

export function replicaIdentities(namespace: string, names: readonly string[]): Identities {
  const env = testEnv();
  const dir = mkdtempSync(join(tmpdir(), "keyport-faults-"));
  const binding = `${namespace}-replicas`;
  const replicas = names.map((name) => {
    kubectl(["-n", namespace, "create", "serviceaccount", name]);
    const token = kubectl(["-n", namespace, "create", "token", name, "--duration=1h"]).trim();
    const kubeconfig = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster: {server: "${env.kube.apiUrl}", certificate-authority: "${env.kube.caFile}"}
users:
- name: ${name}
  user: {token: "${token}"}
contexts:
- name: ${name}
  context: {cluster: testenv, user: ${name}}
current-context: ${name}
`,
      { mode: 0o600 },
    );
    return { name, username: `system:serviceaccount:${namespace}:${name}`, kubeconfig };
  });
  kubectl([
    "create",
    "clusterrolebinding",
    binding,
    "--clusterrole=cluster-admin",
    ...names.map((n) => `--serviceaccount=${namespace}:${n}`),
  ]);
  return {
    replicas,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      try {
        kubectl(["delete", "clusterrolebinding", binding, "--ignore-not-found"]);
      } catch {
        // Best effort.
      }
    },
  };
}

export interface AuditWrite {
  username: string;
  verb: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name: string;
  code: number;
  /** stageTimestamp, ms since epoch. */
  at: number;
}

export function auditLogFile(): string {
  return join(testEnv().runDir, "logs", "audit.log");
}

/** Successful writes recorded in the apiserver's audit log so far. */
export function auditWrites(): AuditWrite[] {
  const file = auditLogFile();
  if (!existsSync(file)) {
    throw new Error(
      `no audit log at ${file}: the environment predates audit logging (restart it with env:up)`,
    );
  }
  const out: AuditWrite[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const e = JSON.parse(line) as {
      stage: string;
      verb: string;
      user: { username: string };
      objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
      responseStatus?: { code?: number };
      stageTimestamp: string;
    };
    if (e.stage !== "ResponseComplete" || e.objectRef === undefined) continue;
    const code = e.responseStatus?.code ?? 0;
    if (code >= 400) continue;
    out.push({
      username: e.user.username,
      verb: e.verb,
      resource: e.objectRef.resource ?? "",
      ...(e.objectRef.subresource ? { subresource: e.objectRef.subresource } : {}),
      namespace: e.objectRef.namespace ?? "",
      name: e.objectRef.name ?? "",
      code,
      at: Date.parse(e.stageTimestamp),
    });
  }
  return out;
}
