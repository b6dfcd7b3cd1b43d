// examples/dynamic-postgres exactly as a user applies it — `kubectl apply -f` on the folder, with
// the Vault address replaced as the other example tests do — against the Vault configuration
// tools/testenv sets up: both Secrets appear and their credentials log in to PostgreSQL.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../../../tools/testenv/config.ts";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { psqlAsAdmin } from "../../../tools/testenv/openbao.ts";
import { eventually } from "../../support/eventually.ts";
import {
  getJson,
  installCrds,
  type KeyportProcess,
  kubectl,
  secretText,
  startKeyport,
  waitForSecret,
} from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const example = join(repoRoot, "examples", "dynamic-postgres");
let keyport: KeyportProcess | undefined;
let copy: string;

interface VdsView {
  status?: {
    lastRenewalTime?: number;
    secretLease?: { id: string; duration: number; renewable: boolean };
    staticCredsMetaData?: { rotationPeriod: number; ttl: number };
    conditions?: Array<{ type: string; status: string }>;
  };
}

function psql(user: string, password: string, sql: string): string {
  const pg = testEnv().postgres;
  return execFileSync(
    `${pg.bin}/psql`,
    ["-h", pg.host, "-p", String(pg.port), "-U", user, "-d", pg.database, "-tAc", sql],
    { encoding: "utf8", env: { ...process.env, PGPASSWORD: password }, stdio: ["ignore", "pipe", "pipe"] },
  ).trim();
}

function roleExists(user: string): boolean {
  return psqlAsAdmin(testEnv().postgres, `select count(*) from pg_roles where rolname = '${user}'`) === "1";
}

async function synced(name: string): Promise<VdsView> {
  return eventually(
    () => {
      const v = getJson<VdsView>("vaultdynamicsecret", "demo", name);
      return v?.status?.conditions?.some((c) => c.type === "SecretSynced" && c.status === "True")
        ? v
        : undefined;
    },
    { timeoutMs: 60_000, message: `VaultDynamicSecret demo/${name} synced` },
  );
}

/**
 * What the example leaves behind, but not the namespaces (demo and its ServiceAccounts belong to
 * the test environment). The Secrets too: without a controller manager nothing garbage-collects
 * what the VaultDynamicSecrets owned, and a later run must start from nothing.
 */
function removeExample(): void {
  kubectl([
    "-n",
    "demo",
    "delete",
    "vaultdynamicsecret",
    "app-db",
    "static-app-db",
    "--ignore-not-found",
    "--wait=true",
  ]);
  kubectl(["-n", "demo", "delete", "secret", "app-db", "static-app-db", "--ignore-not-found"]);
  kubectl(["-n", "demo", "delete", "deployment", "app", "--ignore-not-found"]);
  kubectl(["-n", "demo", "delete", "vaultauth", "demo", "--ignore-not-found"]);
}

before(async () => {
  installCrds();
  // The operator runs first, as in a cluster: its namespace exists, and it finalizes whatever an
  // earlier, interrupted run left behind.
  kubectl(["apply", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata: {name: keyport-system}\n");
  keyport = await startKeyport({
    operatorNamespace: "keyport-system",
    watchNamespaces: ["keyport-system", "demo"],
  });
  removeExample();
  // The folder as shipped, with the address of this environment's OpenBao in place of the cluster's.
  copy = mkdtempSync(join(tmpdir(), "keyport-example-"));
  for (const file of readdirSync(example).filter((f) => f.endsWith(".yaml"))) {
    writeFileSync(
      join(copy, file),
      readFileSync(join(example, file), "utf8").replaceAll(
        "http://vault.vault-system.svc:8200",
        testEnv().vault.addr,
      ),
    );
  }
  kubectl(["apply", "-f", copy]);
});

after(async () => {
  removeExample();
  await keyport?.stop();
  rmSync(copy, { recursive: true, force: true });
  await closeAgents();
});

describe("examples/dynamic-postgres", () => {
  test("app-db: a user Vault created for the app, leased for an hour, logs in to PostgreSQL", async () => {
    const data =
      secretText(await waitForSecret("demo", "app-db", (d) => d.username !== undefined, 60_000)) ?? {};
    assert.match(data.username ?? "", /app/);
    assert.equal(psql(data.username ?? "", data.password ?? "", "select current_user"), data.username);
    const v = await synced("app-db");
    assert.match(v.status?.secretLease?.id ?? "", /^database\/creds\/app\//);
    assert.equal(v.status?.secretLease?.duration, 3600);
    assert.equal(v.status?.secretLease?.renewable, true);
  });

  test("static-app-db: the password Vault rotates for keyport_static logs in", async () => {
    const data =
      secretText(await waitForSecret("demo", "static-app-db", (d) => d.password !== undefined, 60_000)) ?? {};
    assert.equal(data.username, "keyport_static");
    assert.equal(psql("keyport_static", data.password ?? "", "select current_user"), "keyport_static");
    const v = await synced("static-app-db");
    assert.equal(v.status?.secretLease?.id, "");
    assert.equal(v.status?.staticCredsMetaData?.rotationPeriod, 86400);
  });

  test("the first sync restarts nothing; deleting app-db revokes its user (revoke: true)", async () => {
    const deployment = getJson<{
      spec: { template: { metadata: { annotations?: Record<string, string> } } };
    }>("deployment", "demo", "app");
    assert.equal(
      deployment?.spec.template.metadata.annotations?.["vso.secrets.hashicorp.com/restartedAt"],
      undefined,
    );
    const user = secretText(getJson("secret", "demo", "app-db"))?.username ?? "";
    assert.ok(roleExists(user));
    kubectl(["-n", "demo", "delete", "vaultdynamicsecret", "app-db", "--wait=true"]);
    await eventually(() => !roleExists(user), { message: "the lease is revoked, the user dropped" });
  });
});
