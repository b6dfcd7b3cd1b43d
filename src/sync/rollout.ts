// Rollout restarts, as VSO performs them: the pod template of a Deployment, StatefulSet or
// DaemonSet gets the annotation vso.secrets.hashicorp.com/restartedAt (so a workload VSO
// restarted before sees the same mark), an Argo Rollout gets spec.restartAt.
import type { KubeClient } from "../kube/client.ts";
import { resourcePath } from "../kube/resource.ts";

export const restartedAtAnnotation = "vso.secrets.hashicorp.com/restartedAt";

export interface RolloutRestartTarget {
  kind: string;
  name: string;
}

const workloads = {
  Deployment: { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  StatefulSet: { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true },
  DaemonSet: { apiVersion: "apps/v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true },
  "argo.Rollout": {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    plural: "rollouts",
    namespaced: true,
  },
} as const;

export class RolloutRestartError extends Error {
  readonly reason = "RolloutRestartFailed";
}

/** Go's time.RFC3339 in UTC: seconds precision, "Z". */
export function rfc3339(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function rolloutRestart(
  client: KubeClient,
  namespace: string,
  target: RolloutRestartTarget,
  now: Date = new Date(),
): Promise<void> {
  const resource = workloads[target.kind as keyof typeof workloads];
  if (resource === undefined)
    throw new RolloutRestartError(`unsupported rollout restart kind ${target.kind}`);
  const path = resourcePath(resource, { namespace, name: target.name });
  const stamp = rfc3339(now);
  if (target.kind === "argo.Rollout") {
    await client.patch(path, { spec: { restartAt: stamp } }, "application/merge-patch+json");
    return;
  }
  if (target.kind === "Deployment") {
    const deployment = await client.get<{ spec?: { paused?: boolean } }>(path);
    if (deployment.spec?.paused) {
      throw new RolloutRestartError(
        `Deployment ${namespace}/${target.name} is paused and cannot be restarted`,
      );
    }
  }
  await client.patch(
    path,
    { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: stamp } } } } },
    "application/strategic-merge-patch+json",
  );
}
