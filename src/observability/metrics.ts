// The operator's metrics. VSO's names are kept where VSO has the same signal (dashboards carry
// over); Keyport's own signals are prefixed keyport_; queue metrics use controller-runtime's names.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { WorkQueueMetrics } from "../runtime/workqueue.ts";
import type { VaultHttpObserver } from "../vault/index.ts";

export class Metrics {
  readonly registry = new Registry();

  readonly buildInfo = new Gauge({
    name: "keyport_build_info",
    help: "Build information; always 1.",
    labelNames: ["version", "node_version"] as const,
    registers: [this.registry],
  });
  readonly resources = new Gauge({
    name: "keyport_resources",
    help: "Custom resources served, by kind.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly managedSecrets = new Gauge({
    name: "keyport_managed_secrets",
    help: "Destination Secrets managed, by namespace and Vault secret type.",
    labelNames: ["namespace", "type"] as const,
    registers: [this.registry],
  });
  readonly namespacesServed = new Gauge({
    name: "keyport_namespaces_served",
    help: "Namespaces served (0 means the whole cluster).",
    registers: [this.registry],
  });
  readonly authMethods = new Gauge({
    name: "keyport_vault_auths",
    help: "VaultAuths by auth method.",
    labelNames: ["method"] as const,
    registers: [this.registry],
  });
  readonly orphanedVaultAuths = new Gauge({
    name: "keyport_orphaned_vault_auths",
    help: "VaultAuths whose VaultConnection does not exist.",
    registers: [this.registry],
  });
  readonly orphanedSecretResources = new Gauge({
    name: "keyport_orphaned_secret_resources",
    help: "Secret resources whose VaultAuth does not exist.",
    registers: [this.registry],
  });
  readonly duplicateDestinations = new Gauge({
    name: "keyport_duplicate_destinations",
    help: "Destination Secrets that more than one resource writes.",
    registers: [this.registry],
  });
  readonly syncs = new Counter({
    name: "keyport_sync_operations_total",
    help: "Reconciles of secret resources, by kind and result (written, unchanged).",
    labelNames: ["kind", "result"] as const,
    registers: [this.registry],
  });
  readonly syncFailures = new Counter({
    name: "keyport_sync_failures_total",
    help: "Failed reconciles, by kind and reason.",
    labelNames: ["kind", "reason"] as const,
    registers: [this.registry],
  });
  readonly resourceStatus = new Gauge({
    name: "controller_resource_status",
    help: "1 when a resource is valid, 0 when not (VSO's metric).",
    labelNames: ["controller", "name", "namespace"] as const,
    registers: [this.registry],
  });
  readonly vaultOperationSeconds = new Histogram({
    name: "vso_client_operations_time_seconds",
    help: "Vault request durations.",
    labelNames: ["operation", "vault_connection"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly vaultOperations = new Counter({
    name: "vso_client_operations_total",
    help: "Vault requests.",
    labelNames: ["operation", "vault_connection"] as const,
    registers: [this.registry],
  });
  readonly vaultOperationErrors = new Counter({
    name: "vso_client_operations_errors_total",
    help: "Failed Vault requests.",
    labelNames: ["operation", "vault_connection", "reason"] as const,
    registers: [this.registry],
  });
  readonly vaultLogins = new Counter({
    name: "keyport_vault_logins_total",
    help: "Vault logins.",
    registers: [this.registry],
  });
  readonly vaultAuthFailures = new Counter({
    name: "keyport_vault_authentication_failures_total",
    help: "Failed Vault logins.",
    registers: [this.registry],
  });
  readonly clientCacheLength = new Gauge({
    name: "vso_client_cache_length",
    help: "Vault clients (tokens) in the cache.",
    registers: [this.registry],
  });
  readonly clientCacheHits = new Counter({
    name: "vso_client_cache_hits",
    help: "Client cache hits.",
    registers: [this.registry],
  });
  readonly clientCacheMisses = new Counter({
    name: "vso_client_cache_misses",
    help: "Client cache misses.",
    registers: [this.registry],
  });
  readonly clientCacheStorageRequests = new Counter({
    name: "vso_client_cache_storage_requests_total",
    help: "Persisted Vault token operations (store, restore, delete, purge, prune).",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly clientCacheStorageErrors = new Counter({
    name: "vso_client_cache_storage_requests_errors_total",
    help: "Failed persisted Vault token operations.",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });
  readonly clientCacheStorageDiscards = new Counter({
    name: "keyport_client_cache_storage_discarded_total",
    help: "Persisted Vault tokens refused at restore, by reason (tampered, undecryptable, unencrypted, malformed).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly leaseExpiry = new Gauge({
    name: "keyport_lease_expiration_timestamp_seconds",
    help: "When each VaultDynamicSecret's credentials expire unless renewed: lease end, or next static-role rotation (unix seconds).",
    labelNames: ["namespace", "name"] as const,
    registers: [this.registry],
  });
  readonly leaseRenewals = new Counter({
    name: "keyport_lease_renewals_total",
    help: "Lease renewals of VaultDynamicSecrets, by result (renewed, truncated, not_found, error).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly dynamicCredentialIssuances = new Counter({
    name: "keyport_dynamic_credential_issuances_total",
    help: "Credentials requested for VaultDynamicSecrets, by sync reason (InitialSync, VaultTokenRotated, LeaseTruncated, …).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly leaseRevocations = new Counter({
    name: "keyport_lease_revocations_total",
    help: "Leases revoked by VaultDynamicSecrets, by cause (deleted, superseded, undelivered) and result.",
    labelNames: ["cause", "result"] as const,
    registers: [this.registry],
  });
  readonly kubeApiErrors = new Counter({
    name: "keyport_kube_api_errors_total",
    help: "Failed Kubernetes API requests made by reconciles, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly rolloutRestarts = new Counter({
    name: "keyport_rollout_restarts_total",
    help: "Rollout restarts triggered, by result.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly certificateExpiry = new Gauge({
    name: "keyport_certificate_expiration_timestamp_seconds",
    help: "When each VaultPKISecret's current certificate expires (unix seconds).",
    labelNames: ["namespace", "name"] as const,
    registers: [this.registry],
  });
  readonly certificateRenewal = new Gauge({
    name: "keyport_certificate_renewal_timestamp_seconds",
    help: "When each VaultPKISecret's current certificate is due for renewal (status.renewAt, unix seconds).",
    labelNames: ["namespace", "name"] as const,
    registers: [this.registry],
  });
  readonly certificateRenewals = new Counter({
    name: "keyport_certificate_issuances_total",
    help: "Certificates issued, by reason (InitialSync, InRenewalWindow, ResourceUpdated, SecretDataDrift, InexistentDestination).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly certificateIssuanceErrors = new Counter({
    name: "keyport_certificate_issuance_errors_total",
    help: "Failed certificate issuances, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly certificateIssuanceSeconds = new Histogram({
    name: "keyport_certificate_issuance_seconds",
    help: "Time from the decision to issue until Vault answered (key generation included in sign mode).",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly detectionGroups = new Gauge({
    name: "keyport_change_detection_groups",
    help: "instantUpdates groups by the request they are checked with (detailed-metadata, metadata, read).",
    labelNames: ["mode"] as const,
    registers: [this.registry],
  });
  readonly detectionRequests = new Counter({
    name: "keyport_change_detection_requests_total",
    help: "Vault requests spent on change detection, by mode.",
    labelNames: ["mode"] as const,
    registers: [this.registry],
  });
  readonly detectionDelay = new Histogram({
    name: "keyport_change_detection_delay_seconds",
    help: "From a secret's updated_time in Vault until Keyport noticed the change.",
    buckets: [0.5, 1, 2, 3, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "workqueue_depth",
    help: "Current depth of the workqueue.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: "workqueue_adds_total",
    help: "Adds handled by the workqueue.",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: "workqueue_queue_duration_seconds",
    help: "How long an item stays in the workqueue before being processed.",
    labelNames: ["name"] as const,
    buckets: [0.001, 0.01, 0.1, 1, 10, 60],
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: "workqueue_work_duration_seconds",
    help: "How long processing an item takes.",
    labelNames: ["name"] as const,
    buckets: [0.001, 0.01, 0.1, 1, 10, 60],
    registers: [this.registry],
  });

  constructor(options: { version: string; defaultMetrics?: boolean }) {
    this.buildInfo.set({ version: options.version, node_version: process.version }, 1);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Label sets of controller_resource_status last set by resourceStatuses, per controller. */
  readonly #statusSeries = new Map<string, Set<string>>();

  /**
   * controller_resource_status for every object of one controller at once (the secret kinds,
   * computed from their Ready condition): sets these series and removes those of objects gone.
   */
  resourceStatuses(
    controller: string,
    entries: Iterable<{ namespace: string; name: string; valid: boolean }>,
  ): void {
    const before = this.#statusSeries.get(controller) ?? new Set<string>();
    const now = new Set<string>();
    for (const { namespace, name, valid } of entries) {
      this.resourceStatus.set({ controller, name, namespace }, valid ? 1 : 0);
      now.add(`${namespace}/${name}`);
    }
    for (const key of before) {
      if (now.has(key)) continue;
      const [namespace = "", name = ""] = key.split("/");
      this.resourceStatus.remove({ controller, name, namespace });
    }
    this.#statusSeries.set(controller, now);
  }

  queue(name: string): WorkQueueMetrics {
    return {
      depth: (n: number) => this.queueDepth.set({ name }, n),
      added: () => this.queueAdds.inc({ name }),
      queueLatency: (ms: number) => this.queueLatency.observe({ name }, ms / 1000),
      workDuration: (ms: number) => this.workDuration.observe({ name }, ms / 1000),
    };
  }

  vaultObserver(connection: string): VaultHttpObserver {
    return {
      onAttempt: (attempt) => {
        const operation = attempt.path.includes("/login")
          ? "login"
          : attempt.method === "GET"
            ? "read"
            : "write";
        this.vaultOperations.inc({ operation, vault_connection: connection });
        this.vaultOperationSeconds.observe(
          { operation, vault_connection: connection },
          attempt.durationMs / 1000,
        );
        if (attempt.reason !== undefined) {
          this.vaultOperationErrors.inc({ operation, vault_connection: connection, reason: attempt.reason });
        }
      },
    };
  }
}
