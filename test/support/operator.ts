// Small verbs for the operator suites: build manifests as objects (no YAML indentation to get
// wrong), read a resource's status conditions, wait for one, mint a ServiceAccount token as a user
// would with kubectl.
import { spawn } from "node:child_process";
import { eventually } from "./eventually.ts";
import { apply, getJson, kubectl } from "./keyport.ts";
import { testEnv } from "./testenv.ts";

export const apiVersion = "secrets.hashicorp.com/v1beta1";

export type Kind =
  | "VaultConnection"
  | "VaultAuth"
  | "VaultAuthGlobal"
  | "VaultStaticSecret"
  | "SecretTransformation";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One of our custom resources. */
export function resource(
  kind: Kind,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Manifest {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}

/** A Secret from plain-text values. */
export function secret(
  namespace: string,
  name: string,
  stringData: Record<string, string>,
  type = "Opaque",
): Manifest {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type, stringData };
}

export function configMap(namespace: string, name: string, data: Record<string, string>): Manifest {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

/**
 * kubectl apply of several objects at once: one YAML document per object, each written as JSON.
 * (Not a v1 List: kubectl validates List items on the client, without the CRD's defaults.)
 */
export function applyAll(...objects: Manifest[]): string {
  return apply(objects.map((o) => JSON.stringify(o)).join("\n---\n"));
}

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface ResourceView {
  metadata: { generation: number; resourceVersion: string; uid: string; finalizers?: string[] };
  spec?: Record<string, unknown>;
  status?: {
    valid?: boolean;
    error?: string;
    secretMAC?: string;
    lastGeneration?: number;
    vaultClientMeta?: { cacheKey?: string; id?: string };
    conditions?: Condition[];
  };
}

const plural: Record<Kind, string> = {
  VaultConnection: "vaultconnections.secrets.hashicorp.com",
  VaultAuth: "vaultauths.secrets.hashicorp.com",
  VaultAuthGlobal: "vaultauthglobals.secrets.hashicorp.com",
  VaultStaticSecret: "vaultstaticsecrets.secrets.hashicorp.com",
  SecretTransformation: "secrettransformations.secrets.hashicorp.com",
};

export function view(kind: Kind, namespace: string, name: string): ResourceView | undefined {
  return getJson<ResourceView>(plural[kind], namespace, name);
}

export function conditionOf(
  kind: Kind,
  namespace: string,
  name: string,
  type: string,
): Condition | undefined {
  return view(kind, namespace, name)?.status?.conditions?.find((c) => c.type === type);
}

/**
 * Waits until the resource has a condition of `type` that satisfies `check` (by default: any),
 * and returns it. On timeout the message shows the conditions the resource had last.
 */
export async function waitForCondition(
  kind: Kind,
  namespace: string,
  name: string,
  type: string,
  check: (c: Condition) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<Condition> {
  let last: unknown;
  try {
    return await eventually(
      () => {
        const v = view(kind, namespace, name);
        last = v?.status;
        const c = v?.status?.conditions?.find((x) => x.type === type);
        return c !== undefined && check(c) ? c : undefined;
      },
      { timeoutMs, message: `${kind} ${namespace}/${name} condition ${type}` },
    );
  } catch (error) {
    (error as Error).message += `; last status: ${JSON.stringify(last)}`;
    throw error;
  }
}

/** A condition that is True (status "True"). */
export const isTrue = (c: Condition): boolean => c.status === "True";
/** A condition that is False (status "False"). */
export const isFalse = (c: Condition): boolean => c.status === "False";

/** `kubectl create token`: a TokenRequest JWT for a ServiceAccount, as a user mints one. */
export function serviceAccountToken(namespace: string, serviceAccount: string, audience: string): string {
  return kubectl([
    "-n",
    namespace,
    "create",
    "token",
    serviceAccount,
    `--audience=${audience}`,
    "--duration=1h",
  ]).trim();
}

/** Whether a Secret exists (kubectl get). */
export function secretExists(namespace: string, name: string): boolean {
  return getJson("secret", namespace, name) !== undefined;
}

export interface SecretWrite {
  /** ADDED, MODIFIED or DELETED. */
  type: string;
  resourceVersion: string;
  /** The Secret's data as the API returned it (base64 values), as JSON with sorted keys. */
  data: string;
}

export interface SecretWatch {
  /** Every version of the Secret the apiserver reported, in order. */
  writes: SecretWrite[];
  stop(): void;
}

/**
 * Records every write to one Secret from now on — a watch from the namespace's current
 * resourceVersion, so nothing between this call and the watch being established is missed — as
 * an independent witness of each write, whoever made it.
 */
export function watchSecret(namespace: string, name: string): SecretWatch {
  const env = testEnv();
  const list = JSON.parse(kubectl(["get", "--raw", `/api/v1/namespaces/${namespace}/secrets?limit=1`])) as {
    metadata: { resourceVersion: string };
  };
  const query = new URLSearchParams({
    watch: "1",
    fieldSelector: `metadata.name=${name}`,
    resourceVersion: list.metadata.resourceVersion,
  });
  const child = spawn(
    env.kube.kubectl,
    ["--kubeconfig", env.kube.kubeconfig, "get", "--raw", `/api/v1/namespaces/${namespace}/secrets?${query}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const writes: SecretWrite[] = [];
  let pending = "";
  child.stdout.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      const event = JSON.parse(line) as {
        type: string;
        object: { metadata: { resourceVersion: string }; data?: Record<string, string> };
      };
      const data = event.object.data ?? {};
      const sorted = Object.fromEntries(
        Object.keys(data)
          .sort()
          .map((k) => [k, data[k]]),
      );
      writes.push({
        type: event.type,
        resourceVersion: event.object.metadata.resourceVersion,
        data: JSON.stringify(sorted),
      });
    }
  });
  return { writes, stop: () => child.kill("SIGTERM") };
}
