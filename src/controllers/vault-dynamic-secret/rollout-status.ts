// Whether a workload finished rolling out after a restart: every replica replaced and available,
// as `kubectl rollout status` judges it. Until then old pods may still hold the old credentials,
// so the lease behind them is not revoked yet.
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { resourcePath } from "../../kube/resource.ts";
import type { RolloutRestartTarget } from "../../sync/rollout.ts";

interface Workload {
  metadata?: { generation?: number };
  spec?: {
    replicas?: number;
    restartAt?: string;
    updateStrategy?: { type?: string };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    readyReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    restartedAt?: string;
  };
}

const workloads: Record<string, { apiVersion: string; plural: string }> = {
  Deployment: { apiVersion: "apps/v1", plural: "deployments" },
  StatefulSet: { apiVersion: "apps/v1", plural: "statefulsets" },
  DaemonSet: { apiVersion: "apps/v1", plural: "daemonsets" },
  "argo.Rollout": { apiVersion: "argoproj.io/v1alpha1", plural: "rollouts" },
};

/** Pure: has this workload, as read now, finished the rollout its restart began? */
export function hasRolledOut(kind: string, w: Workload): boolean {
  const status = w.status ?? {};
  if (kind === "argo.Rollout") {
    // Argo records the restart it has carried out; its own health is Argo's business.
    return status.restartedAt !== undefined && status.restartedAt >= (w.spec?.restartAt ?? "");
  }
  // The controller has not seen the restart yet: nothing has started to roll.
  if ((status.observedGeneration ?? 0) < (w.metadata?.generation ?? 0)) return false;
  switch (kind) {
    case "Deployment": {
      const desired = w.spec?.replicas ?? 1;
      const updated = status.updatedReplicas ?? 0;
      return (
        updated >= desired && (status.replicas ?? 0) <= updated && (status.availableReplicas ?? 0) >= updated
      );
    }
    case "StatefulSet": {
      // OnDelete replaces pods only when someone deletes them: nothing to wait for here.
      if (w.spec?.updateStrategy?.type === "OnDelete") return true;
      const desired = w.spec?.replicas ?? 1;
      return (
        (status.updatedReplicas ?? 0) >= desired &&
        (status.readyReplicas ?? 0) >= desired &&
        status.currentRevision === status.updateRevision
      );
    }
    case "DaemonSet": {
      const desired = status.desiredNumberScheduled ?? 0;
      return (status.updatedNumberScheduled ?? 0) >= desired && (status.numberAvailable ?? 0) >= desired;
    }
    default:
      return true;
  }
}

/** Reads the workload and judges it; a workload that no longer exists holds no credentials. */
export async function rolledOut(
  client: KubeClient,
  namespace: string,
  target: RolloutRestartTarget,
  signal?: AbortSignal,
): Promise<boolean> {
  const workload = workloads[target.kind];
  if (workload === undefined) return true;
  const path = resourcePath(
    { ...workload, kind: target.kind, namespaced: true },
    { namespace, name: target.name },
  );
  try {
    return hasRolledOut(target.kind, await client.get<Workload>(path, { signal }));
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}
