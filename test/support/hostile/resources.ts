// Every custom resource kind by name, for suites that use all seven: manifests, status reads and
// condition waits (test/support/operator.ts covers the four the operator suites started with).
import { eventually } from "../eventually.ts";
import { getJson, kubectl } from "../keyport.ts";
import { apiVersion, type Condition, type Manifest } from "../operator.ts";

export const plurals = {
  VaultConnection: "vaultconnections.secrets.hashicorp.com",
  VaultAuth: "vaultauths.secrets.hashicorp.com",
  VaultAuthGlobal: "vaultauthglobals.secrets.hashicorp.com",
  VaultStaticSecret: "vaultstaticsecrets.secrets.hashicorp.com",
  VaultPKISecret: "vaultpkisecrets.secrets.hashicorp.com",
  VaultDynamicSecret: "vaultdynamicsecrets.secrets.hashicorp.com",
  SecretTransformation: "secrettransformations.secrets.hashicorp.com",
} as const;

export type AnyKind = keyof typeof plurals;

export function manifest(kind: AnyKind, namespace: string, name: string, spec: unknown): Manifest {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}

export interface StatusView {
  metadata?: { uid?: string; generation?: number };
  status?: { valid?: boolean; error?: string; conditions?: Condition[]; [key: string]: unknown };
}

export function statusOf(kind: AnyKind, namespace: string, name: string): StatusView["status"] {
  return getJson<StatusView>(plurals[kind], namespace, name)?.status;
}

/** Waits for a condition of `type` satisfying `check`; the timeout message shows the last status. */
export async function conditionOf(
  kind: AnyKind,
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
        const status = statusOf(kind, namespace, name);
        last = status;
        const c = status?.conditions?.find((x) => x.type === type);
        return c !== undefined && check(c) ? c : undefined;
      },
      { timeoutMs, message: `${kind} ${namespace}/${name} condition ${type}` },
    );
  } catch (error) {
    (error as Error).message += `; last status: ${JSON.stringify(last)}`;
    throw error;
  }
}

export interface EventView {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { kind?: string; name?: string };
  regarding?: { kind?: string; name?: string };
}

/** Events about one object (core/v1 and events.k8s.io shapes). */
export function eventsFor(namespace: string, kind: string, name: string): EventView[] {
  const list = JSON.parse(kubectl(["-n", namespace, "get", "events", "-o", "json"])) as {
    items: EventView[];
  };
  return list.items.filter((e) => {
    const about = e.involvedObject ?? e.regarding;
    return about?.kind === kind && about?.name === name;
  });
}
