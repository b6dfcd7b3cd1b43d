// From a secret resource to a Vault client: its VaultAuth (with VaultAuthGlobal merged in), the
// VaultConnection, and the credentials the auth method needs — resolved in the namespace of the
// resource, as VSO does — then one cached token per identity.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { VaultAuthGlobalSpec, VaultAuthSpec } from "../api/index.ts";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/object.ts";
import { getObject } from "../kube/patch.ts";
import { resourcePath, secrets } from "../kube/resource.ts";
import { ReconcileError } from "../runtime/errors.ts";
import {
  type AuthConfig,
  type CachedClient,
  type ClientIdentity,
  createAuthStrategy,
  parentCacheKey,
  type TokenDescription,
  type TokenSession,
  type VaultClient,
  type VaultClientCache,
  vaultClientId,
} from "../vault/index.ts";
import { isAllowedNamespace, type ObjectRef, refKey, resolveRef } from "./references.ts";
import { serviceAccounts } from "./resources.ts";
import { AuthConfigError, type EffectiveAuth, effectiveAuth } from "./vault-auth/merge-global.ts";
import type { ConnectionObject, ConnectionPool } from "./vault-connection/pool.ts";

export const clientConfigError = "VaultClientConfigError";

export interface ParsedObject<Spec> {
  metadata: { namespace: string; name: string; uid: string; generation?: number | undefined };
  spec: Spec;
}

export interface AuthLookups {
  vaultAuth(ref: ObjectRef): ParsedObject<VaultAuthSpec> | undefined;
  vaultAuthGlobal(ref: ObjectRef): ParsedObject<VaultAuthGlobalSpec> | undefined;
  vaultConnection(ref: ObjectRef): ConnectionObject | undefined;
}

export interface ClientSettings {
  operatorNamespace: string;
  allowedAuthMethods: readonly string[];
  allowDefaultGlobals: boolean;
}

export interface Consumer {
  namespace: string;
  vaultAuthRef?: string | undefined;
  /** spec.namespace of the secret resource: the Vault namespace its reads go to. */
  vaultNamespace?: string | undefined;
}

export interface ResolvedAuth {
  auth: ParsedObject<VaultAuthSpec>;
  effective: EffectiveAuth;
  connection: ConnectionObject;
}

export interface ResolvedClient {
  client: VaultClient;
  /** The identity's token session, shared with every resource that resolves to the same identity. */
  session: TokenSession;
  cacheKey: string;
  /** blake2b of the token accessor (status.vaultClientMeta.id). */
  clientId: string | undefined;
  authKey: string;
  connectionKey: string;
}

/** Whose token a persisted record holds: the cache identity and where its parts live. */
export interface TokenOwner {
  /** The token's cache key (never a clone key): one record per token. */
  parentKey: string;
  identity: Omit<ClientIdentity, "vaultNamespace">;
  authNamespace: string;
  authName: string;
  connectionNamespace: string;
  /** Where the credentials came from: the consumer's namespace. */
  providerNamespace: string;
}

/**
 * Keeps tokens across operator restarts (client-cache-storage). Neither call ever puts a token in
 * an error or a log line.
 */
export interface TokenPersistence {
  /**
   * The token kept for this identity, if one exists and can be trusted; undefined when there is
   * none or the record was discarded. Rejects only when a record exists but cannot be read now
   * (the API or Transit is unreachable): logging in instead would abandon the leases it holds.
   */
  restore(owner: TokenOwner): Promise<string | undefined>;
  /** Told the identity's current token after each use; keeps it if it is new. Never rejects. */
  remember(owner: TokenOwner, token: string, description: TokenDescription | undefined): Promise<void>;
}

function fail(message: string): never {
  throw new ReconcileError(clientConfigError, message);
}

/** The VaultAuthGlobal a VaultAuth refers to, with VSO's lookup order for `allowDefault`. */
export function resolveGlobal(
  auth: ParsedObject<VaultAuthSpec>,
  lookups: AuthLookups,
  settings: ClientSettings,
): ParsedObject<VaultAuthGlobalSpec> | undefined {
  const ref = auth.spec.vaultAuthGlobalRef;
  if (ref === undefined) return undefined;
  const authNs = auth.metadata.namespace;
  let global: ParsedObject<VaultAuthGlobalSpec> | undefined;
  let where: ObjectRef;
  if (ref.name) {
    where = { namespace: ref.namespace || authNs, name: ref.name };
    global = lookups.vaultAuthGlobal(where);
  } else if (ref.allowDefault) {
    if (!settings.allowDefaultGlobals) {
      fail("vaultAuthGlobalRef.allowDefault is set but the operator runs without allow-default-globals");
    }
    const candidates = ref.namespace ? [ref.namespace] : [authNs, settings.operatorNamespace];
    where = { namespace: candidates[0] ?? authNs, name: "default" };
    for (const namespace of candidates) {
      global = lookups.vaultAuthGlobal({ namespace, name: "default" });
      if (global !== undefined) {
        where = { namespace, name: "default" };
        break;
      }
    }
  } else {
    return undefined;
  }
  if (global === undefined) fail(`VaultAuthGlobal ${refKey(where)} not found`);
  if (!isAllowedNamespace(where, global.spec.allowedNamespaces, authNs, settings.operatorNamespace)) {
    fail(`VaultAuthGlobal ${refKey(where)} does not allow VaultAuths from namespace ${authNs}`);
  }
  return global;
}

/** VaultAuth → effective login settings → VaultConnection, with every isolation check. */
export function resolveAuth(
  consumer: Consumer,
  lookups: AuthLookups,
  settings: ClientSettings,
): ResolvedAuth {
  const authRef = resolveRef(consumer.vaultAuthRef, consumer.namespace, settings.operatorNamespace);
  const auth = lookups.vaultAuth(authRef);
  if (auth === undefined) fail(`VaultAuth ${refKey(authRef)} not found`);
  if (
    !isAllowedNamespace(authRef, auth.spec.allowedNamespaces, consumer.namespace, settings.operatorNamespace)
  ) {
    fail(
      `VaultAuth ${refKey(authRef)} does not allow namespace ${consumer.namespace} (see its allowedNamespaces)`,
    );
  }
  const global = resolveGlobal(auth, lookups, settings);
  let effective: EffectiveAuth;
  try {
    effective = effectiveAuth(auth.spec, global?.spec, auth.spec.vaultAuthGlobalRef?.mergeStrategy ?? {});
  } catch (error) {
    if (error instanceof AuthConfigError) fail(`VaultAuth ${refKey(authRef)}: ${error.message}`);
    throw error;
  }
  if (settings.allowedAuthMethods.length > 0 && !settings.allowedAuthMethods.includes(effective.method)) {
    fail(
      `VaultAuth ${refKey(authRef)} uses auth method ${effective.method}, which this operator does not allow (--allowed-auth-methods=${settings.allowedAuthMethods.join(",")})`,
    );
  }
  const connectionRef = resolveRef(
    effective.vaultConnectionRef,
    auth.metadata.namespace,
    settings.operatorNamespace,
  );
  const connection = lookups.vaultConnection(connectionRef);
  if (connection === undefined) fail(`VaultConnection ${refKey(connectionRef)} not found`);
  // Keyport extension: VSO lets any VaultAuth use any VaultConnection (and so present its client
  // certificate); a connection that lists allowedNamespaces is used only from those.
  const connectionAllows = connection.spec.allowedNamespaces;
  if (
    connectionAllows !== undefined &&
    !isAllowedNamespace(connectionRef, connectionAllows, auth.metadata.namespace, settings.operatorNamespace)
  ) {
    fail(
      `VaultConnection ${refKey(connectionRef)} does not allow namespace ${auth.metadata.namespace} (see its allowedNamespaces)`,
    );
  }
  return { auth, effective, connection };
}

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

/** A process-wide UID for appRole secretIDPath logins (VSO uses a random UUID too). */
const secretIdPathProvider = randomUUID();

/** How long a ServiceAccount's UID is reused before it is read again. */
const serviceAccountUidTtlMs = 10_000;

export class VaultClients {
  readonly #kube: KubeClient;
  readonly #pool: ConnectionPool;
  readonly #cache: VaultClientCache;
  readonly #lookups: AuthLookups;
  readonly #settings: ClientSettings;
  readonly #persistence: TokenPersistence | undefined;
  readonly #serviceAccountUids = new Map<string, { at: number; uid: Promise<string> }>();

  constructor(
    kube: KubeClient,
    pool: ConnectionPool,
    cache: VaultClientCache,
    lookups: AuthLookups,
    settings: ClientSettings,
    persistence?: TokenPersistence,
  ) {
    this.#kube = kube;
    this.#pool = pool;
    this.#cache = cache;
    this.#lookups = lookups;
    this.#settings = settings;
    this.#persistence = persistence;
  }

  get settings(): ClientSettings {
    return this.#settings;
  }

  resolve(consumer: Consumer): ResolvedAuth {
    return resolveAuth(consumer, this.#lookups, this.#settings);
  }

  async forConsumer(consumer: Consumer, signal?: AbortSignal): Promise<ResolvedClient> {
    const { auth, effective, connection } = this.resolve(consumer);
    const http = await this.#pool.get(connection);
    const { providerUID, config } = await this.#credentials(consumer.namespace, effective, signal);
    const readNamespace = consumer.vaultNamespace || effective.vaultNamespace;
    const identity: ClientIdentity = {
      authMethod: effective.method,
      authUID: auth.metadata.uid,
      authGeneration: auth.metadata.generation ?? 0,
      connectionUID: connection.metadata.uid,
      connectionGeneration: connection.metadata.generation ?? 0,
      providerUID,
      ...(readNamespace !== effective.vaultNamespace && readNamespace
        ? { vaultNamespace: readNamespace }
        : {}),
    };
    const { vaultNamespace: _, ...parentIdentity } = identity;
    const owner: TokenOwner = {
      parentKey: parentCacheKey(identity),
      identity: parentIdentity,
      authNamespace: auth.metadata.namespace,
      authName: auth.metadata.name,
      connectionNamespace: connection.metadata.namespace,
      providerNamespace: consumer.namespace,
    };
    const persistence = this.#persistence;
    let cached: CachedClient;
    try {
      cached = await this.#cache.get(identity, () => ({
        http,
        auth: createAuthStrategy(config),
        // Only on a miss: a restarted operator (or a new leader) takes over the token its
        // predecessor kept, and with it the leases that token holds.
        initialToken: persistence === undefined ? undefined : () => persistence.restore(owner),
      }));
      const token = await cached.session.token(signal);
      await persistence?.remember(owner, token, cached.session.describe());
    } catch (error) {
      throw new ReconcileError(
        "VaultClientError",
        `login to Vault with VaultAuth ${auth.metadata.namespace}/${auth.metadata.name} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const accessor = cached.session.describe()?.accessor;
    return {
      client: readNamespace ? cached.client.withNamespace(readNamespace) : cached.client,
      session: cached.session,
      cacheKey: cached.cacheKey,
      clientId: accessor ? vaultClientId(accessor) : undefined,
      authKey: `${auth.metadata.namespace}/${auth.metadata.name}`,
      connectionKey: `${connection.metadata.namespace}/${connection.metadata.name}`,
    };
  }

  /** Where the credentials come from, and the UID that identifies that source (VSO's provider UID). */
  async #credentials(
    namespace: string,
    auth: EffectiveAuth,
    signal: AbortSignal | undefined,
  ): Promise<{ providerUID: string; config: AuthConfig }> {
    const common = {
      mount: auth.mount,
      ...(auth.vaultNamespace ? { namespace: auth.vaultNamespace } : {}),
      params: auth.params,
      headers: auth.headers,
    };
    switch (auth.method) {
      case "kubernetes": {
        const k = auth.kubernetes ?? fail("kubernetes auth is not configured");
        const sa = k.serviceAccount ?? "";
        const uid = await this.#serviceAccountUid(namespace, sa, signal);
        const jwt = () =>
          this.#tokenRequest(namespace, sa, k.audiences ?? [], k.tokenExpirationSeconds ?? 600);
        return { providerUID: uid, config: { method: "kubernetes", role: k.role ?? "", jwt, ...common } };
      }
      case "jwt": {
        const j = auth.jwt ?? fail("jwt auth is not configured");
        if (j.serviceAccount) {
          const sa = j.serviceAccount;
          const uid = await this.#serviceAccountUid(namespace, sa, signal);
          const jwt = () =>
            this.#tokenRequest(namespace, sa, j.audiences ?? [], j.tokenExpirationSeconds ?? 600);
          return { providerUID: uid, config: { method: "jwt", role: j.role ?? "", jwt, ...common } };
        }
        const name = j.secretRef ?? "";
        const { uid } = await this.#secretValue(namespace, name, "jwt", signal);
        const jwt = async () => (await this.#secretValue(namespace, name, "jwt")).value;
        return { providerUID: uid, config: { method: "jwt", role: j.role ?? "", jwt, ...common } };
      }
      case "appRole": {
        const a = auth.appRole ?? fail("appRole auth is not configured");
        if (a.secretIDPath) {
          const path = a.secretIDPath;
          const secretId = async () => (await readFile(path, "utf8")).trim();
          return {
            providerUID: secretIdPathProvider,
            config: { method: "appRole", roleId: a.roleId ?? "", secretId, ...common },
          };
        }
        const name = a.secretRef ?? "";
        const { uid } = await this.#secretValue(namespace, name, "id", signal);
        const secretId = async () => (await this.#secretValue(namespace, name, "id")).value;
        return {
          providerUID: uid,
          config: { method: "appRole", roleId: a.roleId ?? "", secretId, ...common },
        };
      }
      case "token": {
        const t = auth.token ?? fail("token auth is not configured");
        const { uid, value } = await this.#secretValue(namespace, t.secretRef ?? "", "token", signal);
        return {
          providerUID: uid,
          config: {
            method: "token",
            token: value,
            ...(auth.vaultNamespace ? { namespace: auth.vaultNamespace } : {}),
          },
        };
      }
      default:
        return fail(`auth method ${auth.method} is not supported by Keyport`);
    }
  }

  /**
   * The ServiceAccount's UID, remembered for a few seconds: every reconcile of every consumer asks,
   * and a GET each time was the operator's largest steady-state API load (one read per object per
   * refresh, against a 20 QPS client budget). VSO reads it from a cluster-wide ServiceAccount
   * informer; a short memo costs no watch and still notices a recreated ServiceAccount quickly.
   */
  async #serviceAccountUid(namespace: string, name: string, signal?: AbortSignal): Promise<string> {
    const key = `${namespace}/${name}`;
    const now = Date.now();
    const memo = this.#serviceAccountUids.get(key);
    if (memo !== undefined && now - memo.at < serviceAccountUidTtlMs) return memo.uid;
    const uid = getObject(this.#kube, serviceAccounts, { namespace, name }, { signal }).then((sa) => {
      if (sa?.metadata?.uid === undefined) fail(`ServiceAccount ${namespace}/${name} not found`);
      return sa.metadata.uid;
    });
    this.#serviceAccountUids.set(key, { at: now, uid });
    // A failure is not remembered: the next reconcile asks again.
    uid.catch(() => {
      if (this.#serviceAccountUids.get(key)?.uid === uid) this.#serviceAccountUids.delete(key);
    });
    return uid;
  }

  async #secretValue(
    namespace: string,
    name: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<{ uid: string; value: string }> {
    const secret = await getObject<SecretObject>(this.#kube, secrets, { namespace, name }, { signal });
    if (secret?.metadata?.uid === undefined) fail(`Secret ${namespace}/${name} not found`);
    const value = secret.data?.[key];
    if (value === undefined) fail(`Secret ${namespace}/${name} has no key ${key}`);
    return { uid: secret.metadata.uid, value: Buffer.from(value, "base64").toString("utf8").trim() };
  }

  async #tokenRequest(
    namespace: string,
    serviceAccount: string,
    audiences: readonly string[],
    seconds: number,
  ) {
    const path = `${resourcePath(serviceAccounts, { namespace, name: serviceAccount })}/token`;
    const response = await this.#kube.post<{ status?: { token?: string } }>(path, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { ...(audiences.length > 0 ? { audiences } : {}), expirationSeconds: seconds },
    });
    const token = response.status?.token;
    if (!token) fail(`TokenRequest for ServiceAccount ${namespace}/${serviceAccount} returned no token`);
    return token;
  }
}
