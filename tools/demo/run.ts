// npm run demo — the whole path on one machine: build (once) and start a real kube-apiserver,
// etcd, OpenBao and PostgreSQL, run Keyport as a process, apply examples/ (seed 003's KV secrets,
// seed 000's certificate, dynamic PostgreSQL credentials), and show the Secrets it delivers, a
// rotation in Vault, a deleted Secret coming back, and a summary (`keyport status`). `--keep` leaves
// it all running; otherwise everything is stopped at the end, on failure and on Ctrl-C.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { operatorNodeFlags } from "../../src/cli/node-flags.ts";
import { binaries, repoRoot } from "../testenv/config.ts";
import { down, status, type TestEnv, up } from "../testenv/environment.ts";
import { freePort } from "../testenv/ports.ts";

const { values } = parseArgs({ options: { keep: { type: "boolean", default: false } } });
const name = "demo";
const examples = join(repoRoot, "examples", "kv-webapps");
const pkiExample = join(repoRoot, "examples", "pki-openshift");
const dbExample = join(repoRoot, "examples", "dynamic-postgres");
/** Where the examples say "your Vault": this environment's OpenBao is put in its place. */
const exampleVaultAddress = "http://vault.vault-system.svc:8200";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s: string) => console.log(`\n${bold(`▶ ${s}`)}`);

function build(): void {
  step("Building the test servers (cached after the first run)");
  const result = spawnSync("bash", [join(repoRoot, "tools/testenv/build.sh")], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("tools/testenv/build.sh failed");
}

function kubectlFor(env: TestEnv) {
  return (args: readonly string[], input?: string): string =>
    execFileSync(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], {
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      ...(input === undefined ? {} : { input }),
    });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function decoded(
  kubectl: ReturnType<typeof kubectlFor>,
  namespace: string,
  secret: string,
): Record<string, string> {
  const json = JSON.parse(kubectl(["-n", namespace, "get", "secret", secret, "-o", "json"])) as {
    data?: Record<string, string>;
  };
  return Object.fromEntries(
    Object.entries(json.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
}

/** `kubectl apply -f <folder>` as a user runs it, on a copy with `replacements` made. */
function applyFolder(
  kubectl: ReturnType<typeof kubectlFor>,
  folder: string,
  replacements: Record<string, string>,
): string {
  const copy = mkdtempSync(join(tmpdir(), "keyport-demo-"));
  try {
    for (const file of readdirSync(folder).filter((f) => f.endsWith(".yaml"))) {
      let text = readFileSync(join(folder, file), "utf8");
      for (const [from, to] of Object.entries(replacements)) text = text.replaceAll(from, to);
      writeFileSync(join(copy, file), text);
    }
    return kubectl(["apply", "-f", copy]);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * Logs in to PostgreSQL with the credentials from a Secret and returns the user it is logged in as
 * (`select current_user`); the password goes only to psql's environment.
 */
function loggedIn(env: TestEnv, data: Record<string, string>): string {
  const pg = env.postgres;
  const user = execFileSync(
    `${pg.bin}/psql`,
    [
      "-h",
      pg.host,
      "-p",
      String(pg.port),
      "-U",
      data.username ?? "",
      "-d",
      pg.database,
      "-tAc",
      "select current_user",
    ],
    {
      encoding: "utf8",
      env: { ...process.env, PGPASSWORD: data.password ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  ).trim();
  if (user !== data.username) throw new Error(`logged in as ${user}, not ${data.username}`);
  return user;
}

function inWords(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

interface VdsStatusView {
  status?: {
    lastRenewalTime?: number;
    secretLease?: { id: string; duration: number; renewable: boolean };
    staticCredsMetaData?: { rotationPeriod: number; ttl: number };
  };
}

async function main(): Promise<void> {
  build();
  if (status(name).running.length > 0) await down(name);
  step("Starting kube-apiserver + etcd, OpenBao (HTTP, TLS, mTLS) and PostgreSQL on loopback");
  const env = await up({ name, log: (line) => console.log(`  ${line}`) });
  console.log(`  ready in ${env.startSeconds} s`);
  const kubectl = kubectlFor(env);
  let keyport: ChildProcess | undefined;
  const cleanup = async () => {
    if (values.keep) return;
    keyport?.kill("SIGTERM");
    await down(name);
  };
  process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));
  try {
    step("Installing Keyport's CRDs (secrets.hashicorp.com/v1beta1, VSO's API)");
    kubectl(["apply", "--server-side", "-f", join(repoRoot, "deploy/crds")]);
    kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=30s"]);
    kubectl(["create", "namespace", "openshift-operators"]);

    step("Vault side of seed 003: kv mount, secrets, read policies, kubernetes-auth roles");
    const baoBin = binaries().openbao;
    execFileSync("bash", [join(examples, "00-vault-setup.sh")], {
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        VAULT: baoBin,
        VAULT_ADDR: env.vault.addr,
        VAULT_TOKEN: env.vault.token,
        BAO_ADDR: env.vault.addr,
        BAO_TOKEN: env.vault.token,
      },
    });
    console.log("  kv/webapps/app_one, app_two, backend_apps/app_one, app_two; 4 policies; 4 roles");

    step("Starting Keyport (keyport run), leader election on, metrics and probes on loopback");
    const metricsPort = await freePort();
    const healthPort = await freePort();
    const log = openSync(join(env.runDir, "logs", "keyport.log"), "a");
    keyport = spawn(
      process.execPath,
      [
        ...operatorNodeFlags,
        join(repoRoot, "src/cli/keyport.ts"),
        "run",
        `--kubeconfig=${env.kube.kubeconfig}`,
        // Seed 000's VaultConnection "default" lives in openshift-operators: that is the operator namespace.
        "--operator-namespace=openshift-operators",
        `--metrics-bind-address=127.0.0.1:${metricsPort}`,
        `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      ],
      { stdio: ["ignore", log, log], detached: values.keep },
    );
    if (values.keep) keyport.unref();

    step("kubectl apply -f examples/kv-webapps/");
    const connection = readFileSync(join(examples, "10-connection.yaml"), "utf8").replaceAll(
      "http://vault.vault-system.svc:8200",
      env.vault.addr,
    );
    console.log(kubectl(["apply", "-f", "-"], connection).trimEnd().replace(/^/gm, "  "));
    console.log(
      kubectl(["apply", "-f", join(examples, "20-webapps.yaml")])
        .trimEnd()
        .replace(/^/gm, "  "),
    );

    const started = performance.now();
    for (const app of ["webapp-one", "webapp-two", "backendapp-one", "backendapp-two"]) {
      await until(`Secret ${app}`, () =>
        Object.keys(decoded(kubectl, "default", app)).length > 0 ? true : undefined,
      );
    }
    await until("SecretSynced conditions", () => {
      const list = JSON.parse(kubectl(["get", "vaultstaticsecrets", "-A", "-o", "json"])) as {
        items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
      };
      return list.items.every((i) =>
        i.status?.conditions?.some((c) => c.type === "SecretSynced" && c.status === "True"),
      )
        ? true
        : undefined;
    });
    step(`All four Secrets synced ${Math.round(performance.now() - started)} ms after apply`);
    console.log(
      kubectl(["get", "vaultconnections,vaultauths,vaultstaticsecrets", "-A"]).trimEnd().replace(/^/gm, "  "),
    );
    for (const app of ["webapp-one", "webapp-two", "backendapp-one", "backendapp-two"]) {
      const data = decoded(kubectl, "default", app);
      const shown = Object.entries(data)
        .filter(([k]) => k !== "_raw")
        .map(([k, v]) => `${k}=${v}`)
        .join("  ");
      console.log(`  secret/${app}: ${shown}${data._raw ? "  (+ _raw)" : ""}`);
    }

    step("Rotating webapps/app_one in Vault (bao kv put) — the Secret and its Deployment follow");
    execFileSync(
      baoBin,
      ["kv", "put", "-mount=kv", "webapps/app_one", "username=webapp-one", "password=rotated-s3cret"],
      {
        env: { ...process.env, BAO_ADDR: env.vault.addr, BAO_TOKEN: env.vault.token },
        stdio: "ignore",
      },
    );
    const rotatedAt = performance.now();
    await until(
      "rotation",
      () => (decoded(kubectl, "default", "webapp-one").password === "rotated-s3cret" ? true : undefined),
      60_000,
    );
    const restarted = await until("rollout restart", () => {
      const d = JSON.parse(kubectl(["-n", "default", "get", "deployment", "webapp-one", "-o", "json"])) as {
        spec: { template: { metadata: { annotations?: Record<string, string> } } };
      };
      return d.spec.template.metadata.annotations?.["vso.secrets.hashicorp.com/restartedAt"];
    });
    console.log(
      `  secret/webapp-one password=rotated-s3cret after ${Math.round((performance.now() - rotatedAt) / 1000)} s (refreshAfter: 10s)`,
    );
    console.log(`  deployment/webapp-one restartedAt=${restarted}`);

    step("Deleting secret/webapp-two — Keyport puts it back at once");
    kubectl(["-n", "default", "delete", "secret", "webapp-two"]);
    const deletedAt = performance.now();
    await until("restore", () => (decoded(kubectl, "default", "webapp-two").password ? true : undefined));
    console.log(`  restored in ${Math.round(performance.now() - deletedAt)} ms`);

    step("Seed 000: PKI certificates through JWT auth in Vault namespace admin/tenant-1");
    execFileSync("bash", [join(pkiExample, "00-vault-setup.sh")], {
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        VAULT: baoBin,
        VAULT_ADDR: env.vault.addr,
        VAULT_TOKEN: env.vault.token,
        KUBECTL: env.kube.kubectl,
        KUBECONFIG: env.kube.kubeconfig,
        API_CA_FILE: env.kube.caFile,
      },
    });
    console.log(
      "  namespaces admin, admin/tenant-1; jwt auth (JWKS); entity my-app + alias; policy pki; role my-app; pki role team-a",
    );
    kubectl(
      ["apply", "-f", "-"],
      kubectl([
        "create",
        "secret",
        "generic",
        "vault-cacert",
        "--namespace=openshift-operators",
        `--from-literal=ca.crt=${readFileSync(env.vault.caFile, "utf8")}`,
        "--dry-run=client",
        "-o=yaml",
      ]),
    );
    const tlsPort = new URL(env.vault.tlsAddr).port;
    kubectl(
      ["apply", "-f", "-"],
      readFileSync(join(pkiExample, "10-connection.yaml"), "utf8")
        .replace("https://<vault-address>:8200", `https://127.0.0.1:${tlsPort}`)
        .replace('tlsServerName: "<vault-address>"', 'tlsServerName: "vault.testenv.local"'),
    );
    console.log(
      kubectl(["apply", "-f", join(pkiExample, "20-app.yaml")])
        .trimEnd()
        .replace(/^/gm, "  "),
    );
    const pkiStarted = performance.now();
    await until("secret/secretpki", () =>
      decoded(kubectl, "app-1", "secretpki")["tls.crt"] ? true : undefined,
    );
    await until("VaultPKISecret status", () => {
      const v = JSON.parse(
        kubectl(["-n", "app-1", "get", "vaultpkisecret", "vault-pki-app", "-o", "json"]),
      ) as {
        status?: { notAfter?: string };
      };
      return v.status?.notAfter ? true : undefined;
    });
    console.log(`  certificate delivered ${Math.round(performance.now() - pkiStarted)} ms after apply`);
    console.log(kubectl(["get", "vaultpkisecrets", "-A"]).trimEnd().replace(/^/gm, "  "));
    const tls = decoded(kubectl, "app-1", "secretpki");
    const leaf = new X509Certificate(tls["tls.crt"] ?? "");
    console.log(`  secret/secretpki (kubernetes.io/tls): subject ${leaf.subject.replaceAll("\n", ", ")}`);
    console.log(`    issuer ${leaf.issuer.replaceAll("\n", ", ")}; serial ${tls.serial_number}`);
    console.log(
      `    valid ${leaf.validFrom} → ${leaf.validTo}; tls.key present: ${tls["tls.key"] ? "yes" : "no"}`,
    );
    console.log(`  ingress/my-app-ingress accepted, tls.secretName=secretpki`);

    step("Dynamic PostgreSQL credentials: kubectl apply -f examples/dynamic-postgres/");
    console.log(
      applyFolder(kubectl, dbExample, { [exampleVaultAddress]: env.vault.addr })
        .trimEnd()
        .replace(/^/gm, "  "),
    );
    const dbStarted = performance.now();
    const vds = (name: string) =>
      JSON.parse(kubectl(["-n", "demo", "get", "vaultdynamicsecret", name, "-o", "json"])) as VdsStatusView;
    for (const name of ["app-db", "static-app-db"]) {
      await until(`secret/${name}`, () => (decoded(kubectl, "demo", name).password ? true : undefined));
      await until(`VaultDynamicSecret ${name} status`, () =>
        vds(name).status?.lastRenewalTime ? true : undefined,
      );
    }
    console.log(`  both Secrets delivered ${Math.round(performance.now() - dbStarted)} ms after apply`);
    console.log(kubectl(["-n", "demo", "get", "vaultdynamicsecrets"]).trimEnd().replace(/^/gm, "  "));
    const dynamic = decoded(kubectl, "demo", "app-db");
    const lease = vds("app-db").status ?? {};
    const endsAt = (lease.lastRenewalTime ?? 0) + (lease.secretLease?.duration ?? 0);
    console.log(
      `  secret/app-db: user ${loggedIn(env, dynamic)} logged in to PostgreSQL (psql: select current_user)`,
    );
    console.log(
      `    lease ${lease.secretLease?.id} ends ${new Date(endsAt * 1000).toISOString().replace(".000Z", "Z")} (in ${inWords(endsAt - Date.now() / 1000)}) unless renewed; Keyport renews it at 67–77 %`,
    );
    const fixed = decoded(kubectl, "demo", "static-app-db");
    const rotation = vds("static-app-db").status?.staticCredsMetaData;
    console.log(`  secret/static-app-db: user ${loggedIn(env, fixed)} logged in to PostgreSQL`);
    console.log(
      `    static role: Vault rotates its password every ${inWords(rotation?.rotationPeriod ?? 0)}, next in ${inWords(rotation?.ttl ?? 0)}; the Secret follows`,
    );

    step("Summary: keyport status");
    const summary = spawnSync(
      process.execPath,
      [join(repoRoot, "src/cli/keyport.ts"), "status", `--kubeconfig=${env.kube.kubeconfig}`],
      { encoding: "utf8" },
    );
    console.log(`${summary.stdout}${summary.stderr}`.trimEnd().replace(/^(?=.)/gm, "  "));

    step("What it cost (from /metrics)");
    const metrics = execFileSync("curl", ["-s", `http://127.0.0.1:${metricsPort}/metrics`], {
      encoding: "utf8",
    });
    for (const line of metrics.split("\n")) {
      if (
        /^(keyport_vault_logins_total|vso_client_operations_total|keyport_sync_operations_total|keyport_dynamic_credential_issuances_total)/.test(
          line,
        )
      ) {
        console.log(`  ${line}`);
      }
    }
    if (values.keep) {
      console.log(
        `\nLeft running. source ${env.runDir}/env.sh; kubectl get vaultstaticsecrets,vaultpkisecrets,vaultdynamicsecrets -A`,
      );
      console.log(
        `Keyport log: ${env.runDir}/logs/keyport.log. Stop everything: npm run env:down -- --name demo`,
      );
    }
  } finally {
    await cleanup();
  }
}

await main();
