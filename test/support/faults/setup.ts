// What every fault suite starts from: an operator namespace with a VaultConnection (to any address:
// the environment's Vault, or a proxy in front of it) and a kubernetes-auth VaultAuth named
// default, an application namespace bound to a Vault role — and how it is taken down again.
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "../eventually.ts";
import { apply, createNamespace, installCrds, kubectl, kubernetesRole, uniqueName } from "../keyport.ts";
import { deleteNamespace, type Fleet, listResources, listSecrets, wholeness } from "./fleet.ts";

/**
 * Flags of every operator these suites run. The client-side API rate limit is raised from VSO's
 * 20 QPS (burst 30) to 1000 (burst 2000), as a large install would set it: a recovery that flips
 * 160 conditions back to True costs 160 status writes and 160 Events, 16 s of the default budget
 * alone (at 100 QPS two of seven runs missed the 10 s bound), and setting up hundreds of objects
 * would take minutes of CI. What is measured is how Keyport handles the fault, not the rate limit.
 */
export const faultOperatorArgs = ["--kube-client-qps=1000", "--kube-client-burst=2000"] as const;

export interface Tenant {
  operatorNamespace: string;
  namespace: string;
  role: string;
}

export async function setupTenant(
  prefix: string,
  vaultAddress: string,
  connection: Record<string, unknown> = {},
): Promise<Tenant> {
  installCrds();
  const operatorNamespace = uniqueName(`${prefix}-op`);
  const namespace = uniqueName(prefix);
  const role = uniqueName(prefix);
  createNamespace(operatorNamespace);
  createNamespace(namespace);
  await kubernetesRole(role, [namespace]);
  apply(
    [
      {
        apiVersion: "secrets.hashicorp.com/v1beta1",
        kind: "VaultConnection",
        metadata: { name: "default", namespace: operatorNamespace },
        spec: { address: vaultAddress, ...connection },
      },
      {
        apiVersion: "secrets.hashicorp.com/v1beta1",
        kind: "VaultAuth",
        metadata: { name: "default", namespace: operatorNamespace },
        spec: {
          method: "kubernetes",
          mount: "kubernetes",
          kubernetes: { role, serviceAccount: "default", audiences: ["vault"] },
        },
      },
    ]
      .map((o) => JSON.stringify(o))
      .join("\n---\n"),
  );
  return { operatorNamespace, namespace, role };
}

/**
 * Deletes the tenant's resources while an operator still runs (it removes its finalizers and
 * revokes dynamic credentials), then both namespaces. Best effort: never fails a test.
 */
export async function teardownTenant(tenant: Tenant | undefined, operatorRunning: boolean): Promise<void> {
  if (tenant === undefined) return;
  if (operatorRunning) {
    try {
      kubectl([
        "-n",
        tenant.namespace,
        "delete",
        "vaultstaticsecrets,vaultpkisecrets,vaultdynamicsecrets",
        "--all",
        "--wait=true",
        "--timeout=60s",
      ]);
    } catch {
      // Left to the namespace deletion below.
    }
  }
  deleteNamespace(tenant.namespace);
  deleteNamespace(tenant.operatorNamespace);
}

export interface FleetState {
  synced: number;
  total: number;
  secrets: number;
  /** Destination Secrets whose data is not whole, by name. */
  broken: Map<string, string>;
}

export async function fleetState(f: Fleet): Promise<FleetState> {
  const resources = await listResources(f.spec.namespace);
  const secrets = (await listSecrets(f.spec.namespace)).items;
  const broken = new Map<string, string>();
  let present = 0;
  for (const s of secrets) {
    const problem = wholeness(f, s.metadata.name, decodeData(s.data));
    if (!/^[spd]-\d+$/.test(s.metadata.name)) continue;
    present++;
    if (problem !== undefined) broken.set(s.metadata.name, problem);
  }
  return {
    synced: resources.filter(
      (r) =>
        r.status?.conditions?.find((c) => c.type === "SecretSynced")?.status === "True" &&
        r.status?.lastGeneration === r.metadata.generation,
    ).length,
    total: resources.length,
    secrets: present,
    broken,
  };
}

function decodeData(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
}

/** Waits until every resource of the fleet is synced and every destination Secret is whole. */
export async function waitForFleet(f: Fleet, expected: number, timeoutMs: number): Promise<void> {
  let last: FleetState | undefined;
  try {
    await eventually(
      async () => {
        last = await fleetState(f);
        return last.total === expected && last.synced === expected && last.secrets === expected;
      },
      { timeoutMs, intervalMs: 1_000, message: `${expected} objects synced in ${f.spec.namespace}` },
    );
  } catch (error) {
    (error as Error).message +=
      `; last: ${last?.synced}/${last?.total} synced, ${last?.secrets} Secrets, broken ${JSON.stringify([...(last?.broken ?? [])].slice(0, 5))}`;
    throw error;
  }
}

export { sleep };
