// Issue 9, item 10: no secret value the tests used may appear in the operator's logs, in Events or
// in any resource's status. Three parts, so that one scan covers the whole integration run:
//
// - every operator a test starts (test/support/keyport.ts) writes its output to
//   `<run dir>/secrecy/logs/`, and when it stops, `observe()` records what it saw as secret values
//   (the data of every Secret in the namespaces it served, the Vault tokens in its token records)
//   and what it published (Events, and the status of every custom resource) there too;
// - a test may add values it knows are secret (`recordSecretValues`);
// - `scanRun` looks for every recorded value (as written, base64-encoded and JSON-escaped) in every
//   log, every recorded publication and the Events and statuses still in the cluster. It runs in
//   the global teardown of `npm run test:integration` and in test/integration/hostile/secrecy.test.ts.
//
// The registry holds secret values, so it lives in the run directory only (removed by env:down)
// and reports name where a value came from and where it was found, never the value.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The custom resources whose status is searched. */
export const customResources = [
  "vaultconnections.secrets.hashicorp.com",
  "vaultauths.secrets.hashicorp.com",
  "vaultauthglobals.secrets.hashicorp.com",
  "vaultstaticsecrets.secrets.hashicorp.com",
  "vaultpkisecrets.secrets.hashicorp.com",
  "vaultdynamicsecrets.secrets.hashicorp.com",
  "secrettransformations.secrets.hashicorp.com",
] as const;

/**
 * Keys whose values are public by nature (certificates, CAs, identifiers, timestamps): they are
 * expected in statuses and messages and are not recorded.
 */
const publicKeys =
  /(^|\.)(crt|pem)$|^(ca|ca_chain|certificate|issuing_ca|serial_number|expiration|private_key_type|username|lease_id|lease_duration|renewable|ttl|_raw|service_account_name|service_account_namespace|service_account_uid)$/i;

/** Shorter values are too likely to occur by chance (names, numbers, "true"). */
const minimumLength = 12;

export interface SecretValue {
  value: string;
  /** Where it came from, for the report (never the value). */
  origin: string;
}

export interface Hit {
  origin: string;
  /** sha256 prefix of the value, to tell hits apart without showing the value. */
  fingerprint: string;
  form: "as written" | "base64" | "json-escaped";
  where: string;
}

export function secrecyDir(runDir: string): string {
  return join(runDir, "secrecy");
}

/** The file an operator process writes its output to. */
export function operatorLogFile(runDir: string, label: string): string {
  const dir = join(secrecyDir(runDir), "logs");
  mkdirSync(dir, { recursive: true });
  return join(dir, `${label}.log`);
}

/** Adds values to the run's registry of secrets. */
export function recordSecretValues(runDir: string, values: readonly SecretValue[]): void {
  if (values.length === 0) return;
  mkdirSync(secrecyDir(runDir), { recursive: true });
  appendFileSync(
    join(secrecyDir(runDir), "values.jsonl"),
    values.map((v) => `${JSON.stringify(v)}\n`).join(""),
    { mode: 0o600 },
  );
}

interface KubeItem {
  kind?: string;
  metadata?: { namespace?: string; name?: string };
  type?: string;
  data?: Record<string, string>;
  spec?: unknown;
  status?: unknown;
  reason?: string;
  message?: string;
  note?: string;
}

/** The secret values a Secret holds, by the rules above. */
export function secretValuesOf(secret: KubeItem): SecretValue[] {
  const where = `Secret ${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const out: SecretValue[] = [];
  for (const [key, encoded] of Object.entries(secret.data ?? {})) {
    const origin = `${where} key ${key}`;
    const text = Buffer.from(encoded, "base64").toString("utf8");
    if (secret.metadata?.name?.startsWith("vso-cc-") && key === "secret") {
      // A persisted Vault token (plain api.Secret JSON, or Transit ciphertext).
      try {
        const token = (JSON.parse(text) as { auth?: { client_token?: string } }).auth?.client_token;
        if (token) out.push({ value: token, origin: `${origin} (Vault token)` });
      } catch {
        out.push({ value: encoded, origin: `${origin} (encrypted Vault token record)` });
      }
      continue;
    }
    if (publicKeys.test(key)) continue;
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      // Logs escape newlines: a key leaks through any of its body lines.
      for (const line of text.split("\n")) {
        if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) out.push({ value: line, origin: `${origin} (private key)` });
      }
      continue;
    }
    if (/-----BEGIN/.test(text)) continue; // certificates and chains are public
    if (!Buffer.from(text, "utf8").equals(Buffer.from(encoded, "base64"))) {
      // Binary (a PKCS#12 keystore, an HMAC key): what could leak is its base64 form.
      if (encoded.length >= minimumLength) out.push({ value: encoded, origin: `${origin} (binary, base64)` });
      continue;
    }
    if (text.length >= minimumLength) out.push({ value: text, origin });
  }
  return out;
}

function kubectlJson(kubectl: string, kubeconfig: string, args: readonly string[]): { items: KubeItem[] } {
  const out = execFileSync(kubectl, ["--kubeconfig", kubeconfig, ...args, "-o", "json"], {
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out) as { items: KubeItem[] };
}

/** What the operator published: Events' texts and every custom resource's status. */
function publications(items: readonly KubeItem[]): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const item of items) {
    const where = `${item.kind} ${item.metadata?.namespace}/${item.metadata?.name}`;
    if (item.kind === "Event") {
      out.push({ where, text: JSON.stringify([item.reason, item.message, item.note]) });
    } else if (item.kind !== "Secret" && item.status !== undefined) {
      out.push({ where: `${where} status`, text: JSON.stringify(item.status) });
    }
  }
  return out;
}

/** Every spec in `items`, as text: a value written in a spec is not a secret of that run. */
function specsText(items: readonly KubeItem[]): string {
  return items
    .filter((i) => i.kind !== "Secret" && i.kind !== "Event")
    .map((i) => JSON.stringify(i.spec ?? {}))
    .join("\n");
}

export interface ObserveTarget {
  runDir: string;
  kubectl: string;
  kubeconfig: string;
  /** Namespaces the operator served; undefined: all. */
  namespaces: readonly string[] | undefined;
  label: string;
}

/**
 * Records the secrets an operator had access to and what it published, at the end of its life.
 * Asynchronous (kubectl runs in the background, so a test's timing is not disturbed; a pending
 * kubectl keeps the test process alive until it is done). Best effort: a namespace that is gone
 * already is skipped, and nothing here fails a test.
 */
export async function observe(target: ObserveTarget): Promise<void> {
  const kinds = ["secrets", "events", ...customResources].join(",");
  const scopes = target.namespaces === undefined ? [["-A"]] : target.namespaces.map((ns) => ["-n", ns]);
  const values: SecretValue[] = [];
  const published: Array<{ where: string; text: string }> = [];
  for (const scope of scopes) {
    let items: KubeItem[];
    try {
      const { stdout } = await execFileAsync(
        target.kubectl,
        ["--kubeconfig", target.kubeconfig, "get", kinds, ...scope, "-o", "json"],
        { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
      );
      items = (JSON.parse(stdout) as { items: KubeItem[] }).items;
    } catch {
      continue;
    }
    const specs = specsText(items);
    for (const item of items) {
      if (item.kind !== "Secret") continue;
      for (const v of secretValuesOf(item)) if (!specs.includes(v.value)) values.push(v);
    }
    published.push(...publications(items));
  }
  recordSecretValues(target.runDir, values);
  mkdirSync(secrecyDir(target.runDir), { recursive: true });
  writeFileSync(
    join(secrecyDir(target.runDir), `published-${target.label}.json`),
    JSON.stringify(published),
    {
      mode: 0o600,
    },
  );
}

function fingerprint(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}

function forms(value: string): Array<[Hit["form"], string]> {
  const out: Array<[Hit["form"], string]> = [["as written", value]];
  const b64 = Buffer.from(value, "utf8").toString("base64");
  if (b64 !== value) out.push(["base64", b64]);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) out.push(["json-escaped", escaped]);
  return out;
}

export interface ScanInput {
  runDir: string;
  kubectl: string;
  kubeconfig: string;
  /** Extra values (a test's own), besides the registry. */
  values?: readonly SecretValue[];
}

export interface ScanResult {
  values: number;
  logs: number;
  publications: number;
  hits: Hit[];
}

/** Every registered value against every log, recorded publication, and the cluster's Events and statuses now. */
export function scanRun(input: ScanInput): ScanResult {
  const dir = secrecyDir(input.runDir);
  const registry = join(dir, "values.jsonl");
  const values = new Map<string, string>();
  for (const v of input.values ?? []) values.set(v.value, v.origin);
  if (existsSync(registry)) {
    for (const line of readFileSync(registry, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const v = JSON.parse(line) as SecretValue;
      if (!values.has(v.value)) values.set(v.value, v.origin);
    }
  }
  const haystacks: Array<{ where: string; text: string }> = [];
  const logDir = join(dir, "logs");
  let logs = 0;
  if (existsSync(logDir)) {
    for (const file of readdirSync(logDir).sort()) {
      haystacks.push({ where: `operator log ${file}`, text: readFileSync(join(logDir, file), "utf8") });
      logs++;
    }
  }
  if (existsSync(dir)) {
    for (const file of readdirSync(dir).filter((f) => f.startsWith("published-"))) {
      const recorded = JSON.parse(readFileSync(join(dir, file), "utf8")) as Array<{
        where: string;
        text: string;
      }>;
      for (const p of recorded) haystacks.push({ where: `${p.where} (${file})`, text: p.text });
    }
  }
  try {
    const kinds = ["events", ...customResources].join(",");
    const now = kubectlJson(input.kubectl, input.kubeconfig, ["get", kinds, "-A"]).items;
    for (const p of publications(now)) haystacks.push({ where: `${p.where} (at the end)`, text: p.text });
  } catch {
    // The cluster is gone: the recorded publications are what there is.
  }
  const hits: Hit[] = [];
  for (const [value, origin] of values) {
    for (const [form, needle] of forms(value)) {
      for (const h of haystacks) {
        if (h.text.includes(needle))
          hits.push({ origin, fingerprint: fingerprint(value), form, where: h.where });
      }
    }
  }
  return { values: values.size, logs, publications: haystacks.length - logs, hits };
}

export function formatHits(result: ScanResult): string {
  const head = `secrecy scan: ${result.values} secret values, ${result.logs} operator logs, ${result.publications} Events and statuses`;
  if (result.hits.length === 0) return `${head}: no value found`;
  const lines = result.hits
    .slice(0, 50)
    .map((h) => `  ${h.origin} [sha256 ${h.fingerprint}…, ${h.form}] found in ${h.where}`);
  return `${head}: ${result.hits.length} hits\n${lines.join("\n")}`;
}
