// What every hostile suite sets up and tears down: an operator namespace and application
// namespaces of its own, one operator serving exactly those, and — because `npm test` runs every
// integration file against one shared environment — everything it changed put back afterwards:
// namespaces deleted, Vault roles and policies removed.
import {
  createNamespace,
  installCrds,
  type KeyportOptions,
  type KeyportProcess,
  kubectl as run,
  startKeyport,
  uniqueName,
  vault,
} from "../keyport.ts";

export interface Scenario {
  opNs: string;
  namespaces: string[];
  keyport: KeyportProcess | undefined;
  /** Vault paths (roles, policies) to DELETE at the end. */
  vaultCleanup: string[];
}

export function scenario(prefix: string, appNamespaces: number): Scenario {
  return {
    opNs: uniqueName(`${prefix}-op`),
    namespaces: Array.from({ length: appNamespaces }, (_, i) => uniqueName(`${prefix}-${i}`)),
    keyport: undefined,
    vaultCleanup: [],
  };
}

export function prepare(s: Scenario): void {
  installCrds();
  createNamespace(s.opNs);
  for (const ns of s.namespaces) createNamespace(ns);
}

export async function start(
  s: Scenario,
  options: Omit<KeyportOptions, "operatorNamespace" | "watchNamespaces"> = {},
): Promise<KeyportProcess> {
  s.keyport = await startKeyport({
    operatorNamespace: s.opNs,
    watchNamespaces: [s.opNs, ...s.namespaces],
    ...options,
  });
  return s.keyport;
}

/** Stops the operator, waits for its secrecy record, deletes the namespaces and Vault objects. */
export async function teardown(s: Scenario): Promise<void> {
  await s.keyport?.stop();
  await s.keyport?.observed();
  for (const ns of [...s.namespaces, s.opNs]) {
    // Finalizers of our resources would hold the namespace with no operator running: drop them.
    for (const kind of ["vaultstaticsecrets", "vaultpkisecrets", "vaultdynamicsecrets"]) {
      try {
        const names = run(["-n", ns, "get", kind, "-o", "name"]).split("\n").filter(Boolean);
        for (const name of names) {
          run(["-n", ns, "patch", name, "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
        }
      } catch {
        // The namespace or the kind is gone.
      }
    }
    try {
      run(["delete", "namespace", ns, "--wait=false"]);
    } catch {
      // Already gone.
    }
  }
  for (const path of s.vaultCleanup.reverse()) {
    await vault("DELETE", path).catch(() => undefined);
  }
}

/** A Vault ACL policy, removed at teardown. */
export async function policy(s: Scenario, name: string, hcl: string): Promise<void> {
  await vault("PUT", `sys/policies/acl/${name}`, { policy: hcl });
  if (!s.vaultCleanup.includes(`sys/policies/acl/${name}`)) s.vaultCleanup.push(`sys/policies/acl/${name}`);
}

/** A kubernetes-auth role for the default ServiceAccount of `namespaces`, removed at teardown. */
export async function kubernetesRole(
  s: Scenario,
  role: string,
  namespaces: readonly string[],
  options: { policies: readonly string[]; ttl?: string; maxTtl?: string },
): Promise<void> {
  await vault("POST", `auth/kubernetes/role/${role}`, {
    bound_service_account_names: ["default"],
    bound_service_account_namespaces: namespaces,
    audience: "vault",
    token_policies: options.policies,
    token_ttl: options.ttl ?? "1h",
    token_max_ttl: options.maxTtl ?? "24h",
  });
  if (!s.vaultCleanup.includes(`auth/kubernetes/role/${role}`))
    s.vaultCleanup.push(`auth/kubernetes/role/${role}`);
}
