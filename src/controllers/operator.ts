// The running operator: informers fill the stores on every replica (a standby is warm), the
// leader runs the controllers, and every key is reconciled once when a term starts — which, with
// state kept in status and in the destination Secrets, costs no writes when nothing changed.
import type { Logger } from "pino";
import {
  parseVaultAuth,
  parseVaultAuthGlobal,
  parseVaultConnection,
  type VaultAuthGlobalSpec,
  type VaultAuthSpec,
} from "../api/index.ts";
import type { RunOptions } from "../cli/options.ts";
import { KubeClient, loadKubeConfig } from "../kube/client.ts";
import { KubeApiError } from "../kube/errors.ts";
import { EventRecorder } from "../kube/events.ts";
import { Informer } from "../kube/informer.ts";
import { LeaderElector } from "../kube/leader-election.ts";
import { type ResourceType, secrets } from "../kube/resource.ts";
import type { Store } from "../kube/store.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Reconciler } from "../runtime/controller.ts";
import { Controller } from "../runtime/controller.ts";
import { DestinationWriter, type SecretObject } from "../sync/destination.ts";
import { managedSecretSelector, ownerUidLabel } from "../sync/ownership.ts";
import { isVaultError, VaultClientCache } from "../vault/index.ts";
import { ClientCacheStorage } from "./client-cache-storage/storage.ts";
import type { SecretKind } from "./context.ts";
import { keyOf, type OperatorContext, type RawResource, type Stores } from "./context.ts";
import { ensureHmacKey } from "./hmac-key.ts";
import { refKey, resolveRef } from "./references.ts";
import * as resources from "./resources.ts";
import { reconcileSecretTransformation } from "./secret-transformation/reconcile.ts";
import { requeueOnErrorMs } from "./timing.ts";
import { transformationIndex } from "./transformations.ts";
import { reconcileVaultAuth } from "./vault-auth/reconcile.ts";
import { type ParsedObject, VaultClients } from "./vault-clients.ts";
import { ConnectionPool } from "./vault-connection/pool.ts";
import { reconcileVaultConnection } from "./vault-connection/reconcile.ts";
import { onTokenReplaced, vaultDynamicSecretKind } from "./vault-dynamic-secret/reconcile.ts";
import { vaultPkiSecretKind } from "./vault-pki-secret/reconcile.ts";
import { ChangeDetector } from "./vault-static-secret/change-detector.ts";
import { destinationMac, vaultStaticSecretKind } from "./vault-static-secret/reconcile.ts";

/** The secret kinds Keyport serves; each is one module. */
const secretKinds: readonly SecretKind[] = [
  vaultStaticSecretKind,
  vaultPkiSecretKind,
  vaultDynamicSecretKind,
];

export const version = "0.1.0";

export interface Operator {
  /** Stores synced and (with leader election) a leader known: /readyz. */
  ready(): boolean;
  isLeader(): boolean;
  stop(): Promise<void>;
}

function specOf(raw: RawResource): Record<string, unknown> {
  return (raw.spec ?? {}) as Record<string, unknown>;
}

function parsedLookup<Spec>(
  store: Store<RawResource>,
  parse: (raw: unknown) => { ok: true; value: { spec: Spec } } | { ok: false },
) {
  return (ref: { namespace: string; name: string }): ParsedObject<Spec> | undefined => {
    const raw = store.get(ref.namespace, ref.name);
    if (raw === undefined) return undefined;
    const parsed = parse(raw);
    if (!parsed.ok) return undefined;
    return {
      metadata: {
        namespace: ref.namespace,
        name: ref.name,
        uid: raw.metadata?.uid ?? "",
        generation: raw.metadata?.generation,
      },
      spec: parsed.value.spec,
    };
  };
}

export async function startOperator(options: RunOptions, log: Logger, metrics: Metrics): Promise<Operator> {
  const kubeConfig = loadKubeConfig({ kubeconfig: options.kubeconfig });
  const userAgent = `keyport/${version}`;
  const kube = new KubeClient({
    kubeConfig,
    qps: options.kubeClientQps,
    burst: options.kubeClientBurst,
    userAgent,
  });
  // Its own client, so a burst of reconcile writes cannot starve lease renewals.
  const electionKube = new KubeClient({ kubeConfig, userAgent });
  const opNs = options.operatorNamespace;
  // The operator namespace holds the default VaultConnection and VaultAuth (and VaultAuthGlobal):
  // a namespace-scoped install that lists only application namespaces still needs to see them.
  const namespaces =
    options.watchNamespaces.length === 0 || options.watchNamespaces.includes(opNs)
      ? options.watchNamespaces
      : [opNs, ...options.watchNamespaces];
  metrics.namespacesServed.set(namespaces.length);

  const onError = (what: string) => (error: unknown, retryInMs: number) =>
    log.warn({ err: (error as Error).message, retryInMs }, `${what} watch failed`);
  const informer = <T extends RawResource | SecretObject>(resource: ResourceType, labelSelector?: string) =>
    new Informer<T>({
      client: kube,
      resource,
      namespaces,
      ...(labelSelector === undefined ? {} : { labelSelector }),
      onError: onError(resource.kind),
    });
  const informers = {
    vaultConnections: informer<RawResource>(resources.vaultConnections),
    vaultAuths: informer<RawResource>(resources.vaultAuths),
    vaultAuthGlobals: informer<RawResource>(resources.vaultAuthGlobals),
    secretTransformations: informer<RawResource>(resources.secretTransformations),
    managedSecrets: informer<SecretObject>(secrets, managedSecretSelector),
  };
  const secretInformers = new Map(
    secretKinds.map((k) => [k.name, informer<RawResource>(k.resource)] as const),
  );
  const allInformers = [...Object.values(informers), ...secretInformers.values()];
  const stores: Stores = {
    vaultConnections: informers.vaultConnections.store,
    vaultAuths: informers.vaultAuths.store,
    vaultAuthGlobals: informers.vaultAuthGlobals.store,
    secretTransformations: informers.secretTransformations.store,
    secrets: new Map([...secretInformers].map(([name, i]) => [name, i.store] as const)),
    managedSecrets: informers.managedSecrets.store as Store<SecretObject>,
  };
  // Reference indexes: who uses what, so a change fans out without scanning.
  for (const store of stores.secrets.values()) {
    store.addIndex("auth", (o) => {
      try {
        return [
          refKey(resolveRef(specOf(o).vaultAuthRef as string | undefined, o.metadata?.namespace ?? "", opNs)),
        ];
      } catch {
        return [];
      }
    });
    store.addIndex("uid", (o) => (o.metadata?.uid ? [o.metadata.uid] : []));
    store.addIndex("transformation", transformationIndex);
  }
  stores.vaultAuths.addIndex("connection", (o) => {
    try {
      return [
        refKey(
          resolveRef(specOf(o).vaultConnectionRef as string | undefined, o.metadata?.namespace ?? "", opNs),
        ),
      ];
    } catch {
      return [];
    }
  });
  stores.vaultAuths.addIndex("global", (o) => {
    const ref = specOf(o).vaultAuthGlobalRef as { name?: string; namespace?: string } | undefined;
    if (ref === undefined) return [];
    const ns = o.metadata?.namespace ?? "";
    // allowDefault may land on a default in either namespace: index under both.
    return ref.name
      ? [`${ref.namespace || ns}/${ref.name}`]
      : [`${ref.namespace || ns}/default`, `${opNs}/default`];
  });
  stores.managedSecrets.addIndex("owner", (s) => {
    const uid = s.metadata.labels?.[ownerUidLabel];
    return uid ? [uid] : [];
  });

  const pool = new ConnectionPool(kube, { userAgent, observer: (c) => metrics.vaultObserver(c) });
  // Tokens survive restarts and handovers, so the leases they hold do (docs/dynamic-secrets.md).
  const storage = new ClientCacheStorage(options.clientCachePersistenceModel);
  const cache = new VaultClientCache({
    maxSize: options.clientCacheSize,
    observer: {
      onHit: () => metrics.clientCacheHits.inc(),
      onMiss: () => metrics.clientCacheMisses.inc(),
      onLogin: () => metrics.vaultLogins.inc(),
      onLoginFailure: () => metrics.vaultAuthFailures.inc(),
      onTokenReplaced: (key) => onTokenReplaced(ctx, key),
      // A pruned token was revoked: its record is worthless. Evicted and closed ones stay valid.
      onRemoved: (key, cause) => {
        if (cause === "pruned") void storage.forget(key);
      },
    },
  });
  const clients = new VaultClients(
    kube,
    pool,
    cache,
    {
      vaultAuth: parsedLookup<VaultAuthSpec>(stores.vaultAuths, parseVaultAuth as never),
      vaultAuthGlobal: parsedLookup<VaultAuthGlobalSpec>(
        stores.vaultAuthGlobals,
        parseVaultAuthGlobal as never,
      ),
      vaultConnection: parsedLookup(stores.vaultConnections, parseVaultConnection as never) as never,
    },
    {
      operatorNamespace: opNs,
      allowedAuthMethods: options.allowedAuthMethods,
      allowDefaultGlobals: options.globalVaultAuthOptions.allowDefaultGlobals,
    },
    storage,
  );
  const writer = new DestinationWriter(kube, {
    get: (ns, name) => stores.managedSecrets.get(ns, name),
    ownedBy: (ns, uid) =>
      stores.managedSecrets.byIndex("owner", uid).filter((s) => s.metadata.namespace === ns),
  });
  const events = new EventRecorder({
    client: kube,
    background: true,
    onError: (error: unknown) => log.debug({ err: (error as Error).message }, "event not recorded"),
  });

  // Controllers exist only while this replica leads; the queue routes keys to whichever is live.
  let controllers: Map<string, Controller> | undefined;
  const ctx: OperatorContext = {
    kube,
    log,
    events,
    metrics,
    settings: { operatorNamespace: opNs, globalExcludeRaw: options.globalTransformationOptions.excludeRaw },
    stores,
    clients,
    pool,
    cache,
    writer,
    hmacKey: Buffer.alloc(0),
    lastWritten: new Map(),
    kvSynced: new Map(),
    enqueue: (controller, key) => controllers?.get(controller)?.enqueue(key),
  };
  storage.bind(ctx);

  const specChanged = (a: RawResource, b: RawResource) =>
    a.metadata?.generation !== b.metadata?.generation ||
    a.metadata?.deletionTimestamp !== b.metadata?.deletionTimestamp;
  const metaChanged = (a: RawResource, b: RawResource) =>
    JSON.stringify(a.metadata?.labels) !== JSON.stringify(b.metadata?.labels) ||
    JSON.stringify(a.metadata?.annotations) !== JSON.stringify(b.metadata?.annotations);
  const on = (
    store: Store<RawResource>,
    enqueue: (key: string) => void,
    also?: (a: RawResource, b: RawResource) => boolean,
  ) =>
    store.subscribe({
      added: (o) => enqueue(keyOf(o)),
      updated: (a, b) => {
        if (specChanged(a, b) || also?.(a, b)) enqueue(keyOf(b));
      },
      deleted: (o) => enqueue(keyOf(o)),
    });
  on(stores.vaultConnections, (k) => ctx.enqueue("vaultconnection", k));
  on(stores.vaultAuths, (k) => ctx.enqueue("vaultauth", k));
  on(stores.secretTransformations, (k) => ctx.enqueue("secrettransformation", k));
  for (const [kind, store] of stores.secrets) on(store, (k) => ctx.enqueue(kind, k), metaChanged);
  on(stores.vaultAuthGlobals, (k) => {
    for (const auth of stores.vaultAuths.byIndex("global", k)) ctx.enqueue("vaultauth", keyOf(auth));
  });
  // Drift: a destination deleted, or changed by anyone but us, is repaired at once.
  const ownerOf = (secret: SecretObject): { kind: string; owner: RawResource } | undefined => {
    const uid = secret.metadata.labels?.[ownerUidLabel];
    if (uid === undefined) return undefined;
    for (const [kind, store] of stores.secrets) {
      const owner = store.byIndex("uid", uid)[0];
      if (owner !== undefined) return { kind, owner };
    }
    return undefined;
  };
  stores.managedSecrets.subscribe({
    updated: (_old, secret) => {
      const found = ownerOf(secret);
      if (found === undefined) return;
      const ours = ctx.lastWritten.get(found.owner.metadata?.uid ?? "");
      if (ours !== undefined && ours === destinationMac(ctx, secret.data)) return;
      ctx.enqueue(found.kind, keyOf(found.owner));
    },
    deleted: (secret) => {
      const found = ownerOf(secret);
      if (found !== undefined) ctx.enqueue(found.kind, keyOf(found.owner));
    },
  });

  for (const i of allInformers) i.start();
  const synced = Promise.all(allInformers.map((i) => i.synced));
  let storesSynced = false;
  void synced.then(() => {
    storesSynced = true;
    log.info({ namespaces: namespaces.length === 0 ? "all" : namespaces }, "caches synced");
  });

  const gauges = setInterval(() => updateGauges(ctx), 10_000);
  gauges.unref();

  const make = (name: string, reconcile: Reconciler, concurrency: number) =>
    new Controller({
      name,
      reconcile,
      concurrency,
      backoff: {
        initialMs: options.backoff.initialMs,
        maxMs: options.backoff.maxMs,
        multiplier: options.backoff.multiplier,
        randomizationFactor: options.backoff.randomization,
      },
      queueMetrics: metrics.queue(name),
      onError: (key, error, retryInMs) => {
        if (error.cause instanceof KubeApiError) metrics.kubeApiErrors.inc({ reason: error.cause.reason });
        if (secretKinds.some((k) => k.name === name) && isVaultOutage(error)) recheckConnections();
        log.warn(
          { controller: name, key, reason: error.reason, err: error.message, retryInMs },
          "reconcile failed",
        );
      },
    });

  // A secret that failed because Vault did not answer (unreachable, timed out, sealed) asks the
  // VaultConnections that still look healthy to check now. An unhealthy connection re-checks
  // every few seconds on its own, and the moment Vault answers again it wakes every secret
  // waiting out its backoff — so recovery follows Vault's return within seconds instead of
  // whenever each object's backoff (up to 60 s) happens to end. At most one nudge per connection
  // per few seconds, however many secrets fail at once.
  const nudged = new Map<string, number>();
  const recheckConnections = () => {
    const now = Date.now();
    for (const connection of stores.vaultConnections.list()) {
      const key = keyOf(connection);
      if ((connection.status as { valid?: unknown } | undefined)?.valid === false) continue;
      if (now - (nudged.get(key) ?? 0) < requeueOnErrorMs) continue;
      nudged.set(key, now);
      ctx.enqueue("vaultconnection", key);
    }
  };

  let term: Promise<void> | undefined;
  let detector: ChangeDetector | undefined;
  const lead = async (signal: AbortSignal) => {
    await synced;
    if (signal.aborted) return;
    ctx.hmacKey = await ensureHmacKey(kube, opNs);
    await storage.start();
    if (signal.aborted) return;
    const live = new Map<string, Controller>([
      ["vaultconnection", make("vaultconnection", (key) => reconcileVaultConnection(ctx, key), 2)],
      ["vaultauth", make("vaultauth", (key) => reconcileVaultAuth(ctx, key), 2)],
      [
        "secrettransformation",
        make("secrettransformation", (key) => reconcileSecretTransformation(ctx, key), 2),
      ],
      ...secretKinds.map(
        (k) =>
          [
            k.name,
            make(k.name, (key, s) => k.reconcile(ctx, key, s), options.maxConcurrentReconciles),
          ] as const,
      ),
    ]);
    controllers = live;
    detector = new ChangeDetector(ctx, options.instantUpdatesIntervalMs);
    detector.start();
    for (const c of live.values()) c.start();
    for (const o of stores.vaultConnections.list()) ctx.enqueue("vaultconnection", keyOf(o));
    for (const o of stores.vaultAuths.list()) ctx.enqueue("vaultauth", keyOf(o));
    for (const o of stores.secretTransformations.list()) ctx.enqueue("secrettransformation", keyOf(o));
    for (const [kind, store] of stores.secrets) for (const o of store.list()) ctx.enqueue(kind, keyOf(o));
    log.info("leading: controllers started");
  };
  const unlead = async () => {
    await detector?.stop();
    detector = undefined;
    const current = controllers;
    controllers = undefined;
    if (current !== undefined) await Promise.all([...current.values()].map((c) => c.stop()));
    // Only the leader holds tokens: the next one adopts them from storage, and this replica's
    // sessions neither renew nor replace them meanwhile.
    cache.close();
    log.info("controllers stopped");
  };

  let elector: LeaderElector | undefined;
  if (options.leaderElect) {
    elector = new LeaderElector({
      client: electionKube,
      namespace: opNs,
      name: options.leaderElectionId,
      onStartedLeading: (signal) => {
        term = lead(signal).catch((error: unknown) =>
          log.error({ err: (error as Error).message }, "could not start leading"),
        );
      },
      onStoppedLeading: unlead,
      onNewLeader: (identity) => log.info({ leader: identity }, "leader"),
      onError: (error) => log.warn({ err: (error as Error).message }, "leader election"),
    });
    elector.start();
  } else {
    term = lead(new AbortController().signal).catch((error: unknown) =>
      log.error({ err: (error as Error).message }, "could not start"),
    );
  }

  return {
    ready: () => storesSynced && (elector === undefined || elector.leaderKnown()),
    isLeader: () => controllers !== undefined,
    stop: async () => {
      clearInterval(gauges);
      if (elector !== undefined) await elector.stop();
      else await unlead();
      await term;
      await events.flush();
      await Promise.all(allInformers.map((i) => i.stop()));
      await cache.close();
      await pool.close();
      await kube.close();
      await electionKube.close();
    },
  };
}

/** Vault did not answer at all: nothing about the request or its credentials was judged. */
function isVaultOutage(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (isVaultError(e) && ["VaultUnreachable", "Timeout", "VaultSealed"].includes(e.reason)) return true;
  }
  return false;
}

function updateGauges(ctx: OperatorContext): void {
  const { stores, metrics, settings } = ctx;
  metrics.resources.set({ kind: "VaultConnection" }, stores.vaultConnections.size);
  metrics.resources.set({ kind: "VaultAuth" }, stores.vaultAuths.size);
  metrics.resources.set({ kind: "VaultAuthGlobal" }, stores.vaultAuthGlobals.size);
  metrics.resources.set({ kind: "SecretTransformation" }, stores.secretTransformations.size);
  metrics.managedSecrets.reset();
  const destinations = new Map<string, number>();
  let orphanedSecrets = 0;
  for (const [kind, store] of stores.secrets) {
    // VSO's controller_resource_status, for the secret kinds too: 1 while Ready, 0 when not.
    metrics.resourceStatuses(
      kind,
      store.list().flatMap((o) => {
        const ready = (o.status?.conditions as Array<{ type?: string; status?: string }> | undefined)?.find(
          (c) => c.type === "Ready",
        );
        return ready === undefined
          ? []
          : [
              {
                namespace: o.metadata?.namespace ?? "",
                name: o.metadata?.name ?? "",
                valid: ready.status === "True",
              },
            ];
      }),
    );
    metrics.resources.set(
      { kind: secretKinds.find((k) => k.name === kind)?.resource.kind ?? kind },
      store.size,
    );
    for (const object of store.list()) {
      const spec = specOf(object);
      const ns = object.metadata?.namespace ?? "";
      const type =
        kind === "vaultstaticsecret"
          ? String(spec.type ?? "kv")
          : kind === "vaultpkisecret"
            ? "pki"
            : "dynamic";
      metrics.managedSecrets.inc({ namespace: ns, type });
      const dest = `${ns}/${(spec.destination as { name?: string } | undefined)?.name ?? ""}`;
      destinations.set(dest, (destinations.get(dest) ?? 0) + 1);
      try {
        const ref = resolveRef(spec.vaultAuthRef as string | undefined, ns, settings.operatorNamespace);
        if (stores.vaultAuths.get(ref.namespace, ref.name) === undefined) orphanedSecrets++;
      } catch {
        orphanedSecrets++;
      }
    }
  }
  metrics.duplicateDestinations.set([...destinations.values()].filter((n) => n > 1).length);
  metrics.orphanedSecretResources.set(orphanedSecrets);
  metrics.authMethods.reset();
  let orphanedAuths = 0;
  for (const auth of stores.vaultAuths.list()) {
    const spec = specOf(auth);
    metrics.authMethods.inc({ method: String(spec.method ?? "default") });
    try {
      const ref = resolveRef(
        spec.vaultConnectionRef as string | undefined,
        auth.metadata?.namespace ?? "",
        settings.operatorNamespace,
      );
      if (stores.vaultConnections.get(ref.namespace, ref.name) === undefined) orphanedAuths++;
    } catch {
      orphanedAuths++;
    }
  }
  metrics.orphanedVaultAuths.set(orphanedAuths);
  metrics.clientCacheLength.set(ctx.cache.size);
}
