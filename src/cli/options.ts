// `keyport run` flags. Where VSO has a flag, Keyport takes the same name, default and environment
// variable (which, as in VSO, overrides the flag when set), so a VSO Deployment's args keep working.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseDuration } from "../controllers/timing.ts";

export const authMethodNames = ["kubernetes", "jwt", "appRole", "aws", "gcp", "token"] as const;

export interface RunOptions {
  kubeconfig: string | undefined;
  operatorNamespace: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  leaderElect: boolean;
  leaderElectionId: string;
  clientCacheSize: number;
  /** VSO's models, plus Keyport's default `auto` (see docs/dynamic-secrets.md). */
  clientCachePersistenceModel: "none" | "direct-unencrypted" | "direct-encrypted" | "auto";
  maxConcurrentReconciles: number;
  globalTransformationOptions: { excludeRaw: boolean };
  globalVaultAuthOptions: { allowDefaultGlobals: boolean };
  backoff: {
    initialMs: number;
    maxMs: number;
    maxElapsedMs: number;
    multiplier: number;
    randomization: number;
  };
  kubeClientQps: number;
  kubeClientBurst: number;
  logLevel: string;
  /** Keyport: auth methods resources may use; empty means all. */
  allowedAuthMethods: readonly string[];
  /** Keyport: namespaces served, each watched on its own; empty means the whole cluster. */
  watchNamespaces: readonly string[];
  /** Keyport: how often `instantUpdates` VaultStaticSecrets are checked for changes in Vault. */
  instantUpdatesIntervalMs: number;
}

const flags = {
  kubeconfig: { type: "string" },
  "operator-namespace": { type: "string" },
  "metrics-bind-address": { type: "string", default: ":8080" },
  "health-probe-bind-address": { type: "string", default: ":8081" },
  "leader-elect": { type: "string", default: "true" },
  "leader-election-id": { type: "string", default: "keyport.secrets.hashicorp.com" },
  "client-cache-size": { type: "string", default: "10000" },
  "client-cache-num-locks": { type: "string", default: "100" },
  // VSO defaults to none, so every restart mints new dynamic credentials (VSO #285).
  "client-cache-persistence-model": { type: "string", default: "auto" },
  "max-concurrent-reconciles": { type: "string", default: "100" },
  "max-concurrent-reconciles-vds": { type: "string" },
  "global-transformation-options": { type: "string", default: "" },
  "global-vault-auth-options": { type: "string", default: "allow-default-globals" },
  "backoff-initial-interval": { type: "string", default: "5s" },
  "backoff-max-interval": { type: "string", default: "60s" },
  "backoff-max-elapsed-time": { type: "string", default: "0s" },
  "backoff-randomization-factor": { type: "string", default: "0.5" },
  "backoff-multiplier": { type: "string", default: "1.5" },
  "kube-client-qps": { type: "string", default: "0" },
  "kube-client-burst": { type: "string", default: "0" },
  "zap-log-level": { type: "string", default: "info" },
  "log-level": { type: "string" },
  "allowed-auth-methods": { type: "string", default: "" },
  "watch-namespaces": { type: "string", default: "" },
  "instant-updates-interval": { type: "string", default: "4s" },
} as const;

/** VSO's environment overrides, plus Keyport's for its own flags. */
const environment: Record<string, keyof typeof flags> = {
  VSO_CLIENT_CACHE_SIZE: "client-cache-size",
  VSO_CLIENT_CACHE_NUM_LOCKS: "client-cache-num-locks",
  VSO_CLIENT_CACHE_PERSISTENCE_MODEL: "client-cache-persistence-model",
  VSO_MAX_CONCURRENT_RECONCILES: "max-concurrent-reconciles",
  VSO_GLOBAL_TRANSFORMATION_OPTIONS: "global-transformation-options",
  VSO_GLOBAL_VAULT_AUTH_OPTIONS: "global-vault-auth-options",
  VSO_BACKOFF_INITIAL_INTERVAL: "backoff-initial-interval",
  VSO_BACKOFF_MAX_INTERVAL: "backoff-max-interval",
  VSO_BACKOFF_MAX_ELAPSED_TIME: "backoff-max-elapsed-time",
  VSO_BACKOFF_RANDOMIZATION_FACTOR: "backoff-randomization-factor",
  VSO_BACKOFF_MULTIPLIER: "backoff-multiplier",
  VSO_KUBE_CLIENT_QPS: "kube-client-qps",
  VSO_KUBE_CLIENT_BURST: "kube-client-burst",
  KEYPORT_LOG_LEVEL: "log-level",
  KEYPORT_ALLOWED_AUTH_METHODS: "allowed-auth-methods",
  KEYPORT_WATCH_NAMESPACES: "watch-namespaces",
  KEYPORT_INSTANT_UPDATES_INTERVAL: "instant-updates-interval",
  KEYPORT_LEADER_ELECT: "leader-elect",
};

export class OptionsError extends Error {}

const serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/** VSO's order: the pod's service-account namespace, then OPERATOR_NAMESPACE, then "default". */
function operatorNamespace(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined && flag !== "") return flag;
  try {
    const ns = readFileSync(serviceAccountNamespaceFile, "utf8").trim();
    if (ns !== "") return ns;
  } catch {
    // Not in a pod.
  }
  return env.OPERATOR_NAMESPACE ?? "default";
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function bool(name: string, value: string): boolean {
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new OptionsError(`--${name}: expected true or false, got ${JSON.stringify(value)}`);
}

function number(name: string, value: string, check: (n: number) => boolean = () => true): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) {
    throw new OptionsError(`--${name}: invalid number ${JSON.stringify(value)}`);
  }
  return n;
}

function duration(name: string, value: string): number {
  if (value === "0") return 0;
  try {
    return parseDuration(value);
  } catch {
    throw new OptionsError(`--${name}: invalid duration ${JSON.stringify(value)} (use e.g. 5s, 1m)`);
  }
}

export function parseRunOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RunOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof flags; args: string[]; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: false });
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  const v: Record<string, string | undefined> = { ...(parsed.values as Record<string, string | undefined>) };
  for (const [variable, flag] of Object.entries(environment)) {
    const value = env[variable];
    if (value !== undefined && value !== "") v[flag] = value;
  }
  const get = (name: keyof typeof flags): string => v[name] ?? "";

  const persistence = get("client-cache-persistence-model");
  if (!["none", "direct-unencrypted", "direct-encrypted", "auto"].includes(persistence)) {
    throw new OptionsError(`--client-cache-persistence-model: unknown model ${JSON.stringify(persistence)}`);
  }
  const transformation = list(get("global-transformation-options"));
  for (const option of transformation) {
    if (option !== "exclude-raw")
      throw new OptionsError(`--global-transformation-options: unknown option ${option}`);
  }
  const vaultAuth = list(get("global-vault-auth-options"));
  for (const option of vaultAuth) {
    if (option !== "allow-default-globals") {
      throw new OptionsError(`--global-vault-auth-options: unknown option ${option}`);
    }
  }
  const allowedAuthMethods = list(get("allowed-auth-methods"));
  for (const method of allowedAuthMethods) {
    if (!(authMethodNames as readonly string[]).includes(method)) {
      throw new OptionsError(
        `--allowed-auth-methods: unknown method ${method} (known: ${authMethodNames.join(", ")})`,
      );
    }
  }
  return {
    kubeconfig: v.kubeconfig ?? env.KUBECONFIG,
    operatorNamespace: operatorNamespace(v["operator-namespace"], env),
    metricsBindAddress: get("metrics-bind-address"),
    healthProbeBindAddress: get("health-probe-bind-address"),
    leaderElect: bool("leader-elect", get("leader-elect")),
    leaderElectionId: get("leader-election-id"),
    clientCacheSize: number("client-cache-size", get("client-cache-size"), (n) => n > 0),
    clientCachePersistenceModel: persistence as RunOptions["clientCachePersistenceModel"],
    maxConcurrentReconciles: number(
      "max-concurrent-reconciles",
      get("max-concurrent-reconciles"),
      (n) => n >= 1,
    ),
    globalTransformationOptions: { excludeRaw: transformation.includes("exclude-raw") },
    globalVaultAuthOptions: { allowDefaultGlobals: vaultAuth.includes("allow-default-globals") },
    backoff: {
      initialMs: duration("backoff-initial-interval", get("backoff-initial-interval")),
      maxMs: duration("backoff-max-interval", get("backoff-max-interval")),
      maxElapsedMs: duration("backoff-max-elapsed-time", get("backoff-max-elapsed-time")),
      multiplier: number("backoff-multiplier", get("backoff-multiplier"), (n) => n > 0),
      randomization: number(
        "backoff-randomization-factor",
        get("backoff-randomization-factor"),
        (n) => n >= 0,
      ),
    },
    kubeClientQps: number("kube-client-qps", get("kube-client-qps"), (n) => n >= 0),
    kubeClientBurst: number("kube-client-burst", get("kube-client-burst"), (n) => n >= 0),
    logLevel: v["log-level"] ?? get("zap-log-level"),
    allowedAuthMethods,
    watchNamespaces: list(get("watch-namespaces")),
    instantUpdatesIntervalMs: Math.max(
      200,
      duration("instant-updates-interval", get("instant-updates-interval")),
    ),
  };
}
