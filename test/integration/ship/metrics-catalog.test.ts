// The Grafana dashboard and the PrometheusRule alerts name only metrics a running Keyport exports.
// Prometheus's own PromQL parser (tools/promql-names, built from the Go module proxy) reads every
// expression — a syntax error fails here — and lists the metric names; the operator, after real
// work (a synced secret, a failing one, a certificate), is scraped and must export each of them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { load } from "js-yaml";
import { repoRoot } from "../../../tools/testenv/config.ts";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  createNamespace,
  defaultConnectionAndAuth,
  installCrds,
  type KeyportProcess,
  kubernetesRole,
  metricValue,
  startKeyport,
  uniqueName,
  vault,
  waitForSecret,
} from "../../support/keyport.ts";

const dashboardFile = join(repoRoot, "deploy/monitoring/grafana-dashboard.json");
const rulesFile = join(repoRoot, "deploy/monitoring/prometheus-rules.yaml");

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function dashboardExpressions(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8")) as { panels: Panel[] };
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined)
          out.push({ where: `dashboard panel "${panel.title}"`, expr: target.expr });
      }
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels);
  return out;
}

function rules(): Rule[] {
  const doc = load(readFileSync(rulesFile, "utf8")) as {
    kind: string;
    spec: { groups: Array<{ name: string; rules: Rule[] }> };
  };
  assert.equal(doc.kind, "PrometheusRule");
  return doc.spec.groups.flatMap((g) => g.rules);
}

/** Grafana's variables become what Prometheus would see. */
function asPromql(expr: string): string {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll("$__interval", "1m");
}

/** Metric names per expression, from Prometheus's parser; throws listing every parse error. */
function metricNames(expressions: ReadonlyArray<{ where: string; expr: string }>): Map<string, string[]> {
  const binary = execFileSync("bash", [join(repoRoot, "tools/promql-names/build.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop() as string;
  const output = execFileSync(binary, {
    input: `${expressions.map((e) => JSON.stringify(asPromql(e.expr))).join("\n")}\n`,
    encoding: "utf8",
  });
  const results = output
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { expr: string; names?: string[]; error?: string });
  assert.equal(results.length, expressions.length);
  const errors = results
    .map((r, i) => (r.error === undefined ? undefined : `${expressions[i]?.where}: ${r.error}\n  ${r.expr}`))
    .filter((e) => e !== undefined);
  assert.deepEqual(errors, [], "every expression parses");
  const byName = new Map<string, string[]>();
  results.forEach((r, i) => {
    for (const name of r.names ?? []) {
      const users = byName.get(name) ?? [];
      users.push(expressions[i]?.where ?? "");
      byName.set(name, users);
    }
  });
  return byName;
}

/** Names a /metrics page exports: every sample's name, and each declared family with its suffixes. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type !== null) {
      const [, name = "", kind] = type;
      names.add(name);
      if (kind === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${name}${s}`);
      if (kind === "summary") for (const s of ["_sum", "_count"]) names.add(`${name}${s}`);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1] !== undefined) names.add(sample[1]);
  }
  return names;
}

const opNs = uniqueName("keyport");
const app = uniqueName("app");
const role = uniqueName("role");
const kv = uniqueName("p");
let keyport: KeyportProcess;

before(async () => {
  installCrds();
  createNamespace(opNs);
  createNamespace(app);
  await kubernetesRole(role, [app]);
  apply(defaultConnectionAndAuth(opNs, role));
  await vault("POST", `kvv2/data/${kv}/ok`, { data: { key: "value" } });
  keyport = await startKeyport({ operatorNamespace: opNs, watchNamespaces: [opNs, app] });
  const vss = (name: string, path: string) => `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: {name: ${name}, namespace: ${app}}
spec:
  vaultAuthRef: ${opNs}/default
  type: kv-v2
  mount: kvv2
  path: ${path}
  destination: {name: ${name}, create: true}
`;
  apply(vss("ok", `${kv}/ok`));
  apply(vss("broken", `${kv}/not-there`));
  apply(`apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultPKISecret
metadata: {name: cert, namespace: ${app}}
spec:
  vaultAuthRef: ${opNs}/default
  mount: pki_int
  role: example-dot-com
  commonName: metrics.example.com
  ttl: 1h
  destination: {name: cert, create: true, type: kubernetes.io/tls}
`);
  await waitForSecret(app, "ok");
  await waitForSecret(app, "cert");
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("dashboard and alerts", () => {
  test("every alert has a severity, a summary, a description and a runbook", () => {
    const all = rules();
    const alerts = all.filter((r) => r.alert !== undefined).map((r) => r.alert);
    for (const wanted of [
      "KeyportDown",
      "KeyportQueueBackingUp",
      "KeyportSecretSyncFailing",
      "KeyportVaultAuthFailing",
      "KeyportCertificateExpiringSoon",
      "KeyportCertificateRenewalOverdue",
    ]) {
      assert.ok(alerts.includes(wanted), `${wanted} is defined`);
    }
    const operations = readFileSync(join(repoRoot, "docs/operations.md"), "utf8");
    for (const rule of all) {
      assert.match(rule.labels?.severity ?? "", /^(critical|warning|info)$/, `${rule.alert} severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert} summary`);
      assert.ok(rule.annotations?.description, `${rule.alert} description`);
      assert.equal(rule.annotations?.runbook_url, "docs/operations.md#alerts");
      assert.ok(operations.includes(rule.alert ?? "?"), `docs/operations.md explains ${rule.alert}`);
    }
  });

  test("every metric the dashboard and the alerts use is on a running operator's /metrics", async () => {
    const expressions = [
      ...dashboardExpressions(),
      ...rules().map((r) => ({ where: `alert ${r.alert ?? r.record}`, expr: r.expr })),
    ];
    assert.ok(expressions.length > 40, `found ${expressions.length} expressions`);
    const used = metricNames(expressions);
    // Work that fills the per-object series: the gauges refresh every 10 s.
    const text = await eventually(
      async () => {
        const page = await keyport.metrics();
        const ready = (name: string) =>
          metricValue(
            page,
            `controller_resource_status{controller="vaultstaticsecret",name="${name}",namespace="${app}"}`,
          );
        return page.includes(`controller_resource_status{controller="vaultstaticsecret",name="ok"`) &&
          ready("ok") === 1 &&
          page.includes(`controller_resource_status{controller="vaultstaticsecret",name="broken"`) &&
          ready("broken") === 0 &&
          page.includes(`keyport_certificate_renewal_timestamp_seconds{namespace="${app}",name="cert"}`)
          ? page
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, message: "per-object series on /metrics" },
    );
    const names = exported(text);
    const missing = [...used]
      .filter(([name]) => !names.has(name))
      .map(([name, where]) => `${name} (${where[0]})`);
    assert.deepEqual(missing, [], "metrics used but not exported");

    // The certificate alerts compare two gauges of the same certificate: both are there, in order.
    const expires = metricValue(
      text,
      `keyport_certificate_expiration_timestamp_seconds{namespace="${app}",name="cert"}`,
    );
    const renews = metricValue(
      text,
      `keyport_certificate_renewal_timestamp_seconds{namespace="${app}",name="cert"}`,
    );
    const now = Date.now() / 1000;
    assert.ok(renews > now && renews < expires, `renewal ${renews} before expiry ${expires}`);
    assert.ok(expires - now <= 3600 + 5, "a one-hour certificate");
  });
});
