// `keyport status` as an administrator runs it: the operator syncs a healthy VaultStaticSecret, a
// failing one (a path that does not exist in Vault) and a certificate; then `kubectl keyport
// status` — the kubectl plugin found on PATH — prints them, as a table and as JSON, and its exit
// status says whether anything is failing.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { StatusDocument } from "../../../src/cli/status/json.ts";
import { repoRoot } from "../../../tools/testenv/config.ts";
import { closeAgents } from "../../../tools/testenv/http.ts";
import {
  apply,
  createNamespace,
  defaultConnectionAndAuth,
  getJson,
  installCrds,
  type KeyportProcess,
  kubernetesRole,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";
import { isFalse, isTrue, waitForCondition } from "../../support/operator.ts";
import { testEnv } from "../../support/testenv.ts";

const opNs = uniqueName("keyport");
const good = uniqueName("good");
const bad = uniqueName("bad");
const role = uniqueName("role");
const kv = uniqueName("p");
let keyport: KeyportProcess;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `kubectl keyport …`: kubectl finds bin/kubectl-keyport on PATH, as a user's shell would. */
function kubectlKeyport(args: readonly string[]): Promise<Run> {
  const env = testEnv();
  return new Promise((resolve) => {
    execFile(
      env.kube.kubectl,
      ["keyport", ...args],
      {
        env: {
          ...process.env,
          PATH: `${join(repoRoot, "bin")}:${process.env.PATH ?? ""}`,
          KUBECONFIG: env.kube.kubeconfig,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function vss(namespace: string, name: string, path: string): string {
  return `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  vaultAuthRef: ${opNs}/default
  type: kv-v2
  mount: kvv2
  path: ${path}
  refreshAfter: 30s
  destination: {name: ${name}, create: true}
`;
}

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(good);
  createNamespace(bad);
  await kubernetesRole(role, [good, bad]);
  // `<operator namespace>/default` may be used from every namespace (VSO's rule).
  apply(defaultConnectionAndAuth(opNs, role));
  await vault("POST", `kvv2/data/${kv}/app`, { data: { password: "do-not-print-me" } });
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, good, bad] });
  apply(vss(good, "app", `${kv}/app`));
  apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultPKISecret
metadata: {name: web, namespace: ${good}}
spec:
  vaultAuthRef: ${opNs}/default
  mount: pki_int
  role: example-dot-com
  commonName: web.example.com
  ttl: 1h
  destination: {name: web-tls, create: true, type: kubernetes.io/tls}
`);
  apply(vss(bad, "missing", `${kv}/does-not-exist`));
  await waitForSecret(good, "app", (d) => d.password === "do-not-print-me");
  await waitForSecret(good, "web-tls", (d) => (d["tls.crt"] ?? "").includes("BEGIN CERTIFICATE"));
  await waitForCondition("VaultStaticSecret", good, "app", "SecretSynced", isTrue);
  await waitForCondition("VaultStaticSecret", bad, "missing", "SecretSynced", isFalse);
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("keyport status", () => {
  test("a namespace where everything is synced: a table, exit status 0", async () => {
    const run = await kubectlKeyport(["status", "-n", good]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split("\n");
    assert.match(
      lines[0] ?? "",
      /^KIND\s+NAMESPACE\/NAME\s+SYNCED\s+LAST SYNC\s+NEXT REFRESH\s+EXPIRES\s+ERROR$/,
    );
    assert.match(
      run.stdout,
      new RegExp(`\\nVaultStaticSecret\\s+${good}/app\\s+True\\s+\\S+ ago\\s+every 30s\\s+-\\n`),
    );
    // The certificate: issued moments ago, renewed at two thirds of its hour, expiring within it.
    assert.match(
      run.stdout,
      new RegExp(
        `\\nVaultPKISecret\\s+${good}/web\\s+True\\s+\\S+ ago\\s+in \\S+\\s+in \\S+ \\(certificate\\)\\n`,
      ),
    );
    assert.match(run.stdout, /\n2 resources, none failing\n$/);
    assert.doesNotMatch(run.stdout, /do-not-print-me/);
  });

  test("a failing resource: its reason and Vault's message, exit status 1", async () => {
    const run = await kubectlKeyport(["status", "-n", bad]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `\\nVaultStaticSecret\\s+${bad}/missing\\s+False\\s+-\\s+every 30s\\s+-\\s+VaultClientError: .*404`,
      ),
    );
    assert.match(run.stdout, /\n1 resources, 1 failing\n$/);
  });

  test("-o json: every object across namespaces with absolute times; exit status 1", async () => {
    const run = await kubectlKeyport(["status", "-A", "-o", "json"]);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stdout, /do-not-print-me/);
    const doc = JSON.parse(run.stdout) as StatusDocument;
    const item = (kind: string, namespace: string, name: string) =>
      doc.items.find((i) => i.kind === kind && i.namespace === namespace && i.name === name);
    const app = item("VaultStaticSecret", good, "app");
    assert.equal(app?.synced, "True");
    assert.equal(app?.failing, false);
    assert.equal(app?.refreshInterval, "30s");
    assert.ok(app?.lastSync !== undefined && Date.parse(app.lastSync) <= Date.now());

    const missing = item("VaultStaticSecret", bad, "missing");
    assert.equal(missing?.synced, "False");
    assert.equal(missing?.failing, true);
    assert.equal(missing?.reason, "VaultClientError");

    const web = item("VaultPKISecret", good, "web");
    const status = getJson<{ status: { notAfter: string; renewAt: string } }>("vaultpkisecret", good, "web");
    assert.equal(web?.expires, status?.status.notAfter);
    assert.equal(web?.expiresKind, "certificate");
    assert.equal(web?.nextRefresh, status?.status.renewAt);
    assert.equal(web?.failing, false);

    for (const kind of ["VaultConnection", "VaultAuth"]) {
      const row = item(kind, opNs, "default");
      assert.equal(row?.synced, "True", `${kind} ${opNs}/default is valid`);
      assert.equal(row?.failing, false);
    }
    assert.ok(doc.summary.failing >= 1);
    assert.equal(doc.summary.total, doc.items.length);
  });

  test("bad arguments and an unreachable cluster exit with 2, not 1", async () => {
    const usage = await kubectlKeyport(["status", "-o", "yaml"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown output format/);
    const nowhere = await kubectlKeyport(["status", "--context", "no-such-context"]);
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /no context "no-such-context"/);
  });
});
