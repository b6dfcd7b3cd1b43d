// `keyport status`: rows from the status the controllers write, the table, the JSON document.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderJson, statusDocument } from "../../../src/cli/status/json.ts";
import { type RawObject, statusRow, statusRows } from "../../../src/cli/status/rows.ts";
import { relative, renderTable, shortDuration } from "../../../src/cli/status/table.ts";

const now = Date.parse("2026-11-20T12:00:00Z");
const unix = (iso: string) => Date.parse(iso) / 1000;

function cond(type: string, status: string, reason: string, message: string, at = "2026-11-20T11:00:00Z") {
  return { type, status, reason, message, lastTransitionTime: at };
}

const healthyKv: RawObject = {
  metadata: { namespace: "app", name: "db" },
  spec: { mount: "kv", path: "db", type: "kv-v2", hmacSecretData: true },
  status: {
    lastGeneration: 1,
    secretMAC: "x",
    conditions: [
      cond("SecretSynced", "True", "SecretSynced", "Secret synced", "2026-11-20T11:57:00Z"),
      cond("Healthy", "True", "Healthy", "Secret synced"),
      cond("Ready", "True", "Ready", "Secret synced"),
    ],
  },
};

const failingKv: RawObject = {
  metadata: { namespace: "app", name: "missing" },
  spec: { mount: "kv", path: "nope", type: "kv-v2", refreshAfter: "30s" },
  status: {
    lastGeneration: 0,
    conditions: [
      cond("SecretSynced", "False", "VaultClientError", "GET kv/data/nope: 404 not found\n(no secret)"),
      cond("Healthy", "False", "VaultClientError", "GET kv/data/nope: 404"),
    ],
  },
};

const certificate: RawObject = {
  metadata: { namespace: "app-1", name: "vault-pki-app" },
  spec: { mount: "pki", role: "team-a", expiryOffset: "10s" },
  status: {
    serialNumber: "1a:2b",
    expiration: unix("2026-12-04T11:00:00Z"),
    lastRotation: unix("2026-11-20T11:00:00Z"),
    notAfter: "2026-12-04T11:00:00Z",
    renewAt: "2026-11-29T19:00:00Z",
    valid: true,
    error: "",
    conditions: [cond("SecretSynced", "True", "SecretSynced", "certificate 1a:2b (InitialSync)")],
  },
};

describe("rows", () => {
  test("a synced VaultStaticSecret: synced since its condition turned True, refreshed every 60 s", () => {
    const row = statusRow("VaultStaticSecret", healthyKv, now);
    assert.deepEqual(row, {
      kind: "VaultStaticSecret",
      namespace: "app",
      name: "db",
      synced: "True",
      failing: false,
      lastSync: "2026-11-20T11:57:00Z",
      refreshInterval: "60s",
    });
  });

  test("a failing VaultStaticSecret carries the condition's reason and message", () => {
    const row = statusRow("VaultStaticSecret", failingKv, now);
    assert.equal(row.synced, "False");
    assert.equal(row.failing, true);
    assert.equal(row.reason, "VaultClientError");
    assert.match(row.error ?? "", /404 not found/);
    assert.equal(row.refreshInterval, "30s");
    assert.equal(row.lastSync, undefined);
  });

  test("a VaultPKISecret: issued at lastRotation, renewed at renewAt, expires at notAfter", () => {
    const row = statusRow("VaultPKISecret", certificate, now);
    assert.equal(row.lastSync, "2026-11-20T11:00:00Z");
    assert.equal(row.nextRefresh, "2026-11-29T19:00:00Z");
    assert.equal(row.expires, "2026-12-04T11:00:00Z");
    assert.equal(row.expiresKind, "certificate");
    assert.equal(row.failing, false);
  });

  test("a VaultPKISecret written by VSO (no renewAt) renews at expiration − expiryOffset", () => {
    const { renewAt: _r, notAfter: _n, ...vsoStatus } = certificate.status ?? {};
    const row = statusRow("VaultPKISecret", { ...certificate, status: vsoStatus }, now);
    assert.equal(row.nextRefresh, "2026-12-04T10:59:50Z");
    assert.equal(row.expires, "2026-12-04T11:00:00Z");
  });

  test("an expired certificate is failing even when its last sync succeeded", () => {
    const row = statusRow("VaultPKISecret", certificate, Date.parse("2026-12-05T00:00:00Z"));
    assert.equal(row.failing, true);
    assert.equal(row.reason, "CertificateExpired");
  });

  test("a VaultDynamicSecret: lease end and the start of its renewal window", () => {
    const row = statusRow(
      "VaultDynamicSecret",
      {
        metadata: { namespace: "db", name: "creds" },
        spec: { mount: "db", path: "creds/app", renewalPercent: 50 },
        status: {
          lastRenewalTime: unix("2026-11-20T11:30:00Z"),
          lastGeneration: 1,
          secretLease: { id: "db/creds/app/abc", duration: 3600, renewable: true, requestID: "r" },
          conditions: [cond("SecretSynced", "True", "SecretSynced", "ok")],
        },
      },
      now,
    );
    assert.equal(row.lastSync, "2026-11-20T11:30:00Z");
    assert.equal(row.expires, "2026-11-20T12:30:00Z");
    assert.equal(row.expiresKind, "lease");
    assert.equal(row.nextRefresh, "2026-11-20T12:00:00Z");
    assert.equal(row.failing, false);
  });

  test("a VaultDynamicSecret whose renewal fails is failing (LeaseRenewal condition)", () => {
    const row = statusRow(
      "VaultDynamicSecret",
      {
        metadata: { namespace: "db", name: "creds" },
        spec: {},
        status: {
          lastRenewalTime: unix("2026-11-20T11:30:00Z"),
          secretLease: { id: "l", duration: 3600, renewable: true, requestID: "r" },
          conditions: [
            cond("SecretSynced", "True", "SecretSynced", "ok"),
            cond("LeaseRenewal", "False", "SecretLeaseRenewalError", "Vault sealed"),
          ],
        },
      },
      now,
    );
    assert.equal(row.failing, true);
    assert.equal(row.reason, "SecretLeaseRenewalError");
  });

  test("static-role credentials expire at their next rotation", () => {
    const row = statusRow(
      "VaultDynamicSecret",
      {
        metadata: { namespace: "db", name: "static" },
        spec: { allowStaticCreds: true },
        status: {
          lastRenewalTime: unix("2026-11-20T11:59:00Z"),
          secretLease: { id: "", duration: 0, renewable: false, requestID: "r" },
          staticCredsMetaData: { lastVaultRotation: 1, rotationPeriod: 3600, ttl: 600 },
          conditions: [cond("SecretSynced", "True", "SecretSynced", "ok")],
        },
      },
      now,
    );
    assert.equal(row.expiresKind, "rotation");
    assert.equal(row.expires, "2026-11-20T12:09:00Z");
  });

  test("VaultConnection and VaultAuth report validity; no status yet is Unknown, not failing", () => {
    const invalid = statusRow(
      "VaultAuth",
      {
        metadata: { namespace: "ops", name: "default" },
        status: {
          valid: false,
          error: "VaultConnection ops/default not found",
          conditions: [
            cond("Ready", "False", "InvalidConfiguration", "VaultConnection ops/default not found"),
          ],
        },
      },
      now,
    );
    assert.equal(invalid.synced, "False");
    assert.equal(invalid.failing, true);
    assert.equal(invalid.reason, "InvalidConfiguration");
    const pending = statusRow("VaultConnection", { metadata: { namespace: "ops", name: "new" } }, now);
    assert.equal(pending.synced, "Unknown");
    assert.equal(pending.failing, false);
  });

  test("rows are ordered by kind, namespace, name", () => {
    const rows = statusRows(
      [
        { kind: "VaultStaticSecret", items: [failingKv, healthyKv] },
        {
          kind: "VaultConnection",
          items: [{ metadata: { namespace: "z", name: "a" }, status: { valid: true } }],
        },
      ],
      now,
    );
    assert.deepEqual(
      rows.map((r) => `${r.kind} ${r.namespace}/${r.name}`),
      ["VaultConnection z/a", "VaultStaticSecret app/db", "VaultStaticSecret app/missing"],
    );
  });
});

describe("table", () => {
  test("kubectl-style short durations", () => {
    assert.equal(shortDuration(45_000), "45s");
    assert.equal(shortDuration(330_000), "5m30s");
    assert.equal(shortDuration(3_600_000 * 3 + 12 * 60_000), "3h12m");
    assert.equal(shortDuration(86_400_000 * 14), "14d");
    assert.equal(relative("2026-11-20T11:57:00Z", now), "3m ago");
    assert.equal(relative("2026-12-04T11:00:00Z", now), "in 13d");
    assert.equal(relative(undefined, now), "-");
  });

  test("one line per object, aligned, with a summary", () => {
    const rows = statusRows(
      [
        { kind: "VaultStaticSecret", items: [healthyKv, failingKv] },
        { kind: "VaultPKISecret", items: [certificate] },
      ],
      now,
    );
    const text = renderTable(rows, { nowMs: now });
    const lines = text.split("\n");
    assert.match(
      lines[0] ?? "",
      /^KIND\s+NAMESPACE\/NAME\s+SYNCED\s+LAST SYNC\s+NEXT REFRESH\s+EXPIRES\s+ERROR$/,
    );
    assert.match(lines[1] ?? "", /^VaultStaticSecret\s+app\/db\s+True\s+3m ago\s+every 60s\s+-$/);
    assert.match(
      lines[2] ?? "",
      /^VaultStaticSecret\s+app\/missing\s+False\s+-\s+every 30s\s+-\s+VaultClientError: GET kv\/data\/nope: 404 not found \(no secret\)$/,
    );
    assert.match(
      lines[3] ?? "",
      /^VaultPKISecret\s+app-1\/vault-pki-app\s+True\s+1h ago\s+in 9d\s+in 13d \(certificate\)$/,
    );
    // Columns line up: every row's SYNCED value starts where the header's does.
    const at = (lines[0] ?? "").indexOf("SYNCED");
    for (const line of lines.slice(1, 4)) assert.match(line.slice(at), /^(True|False)/);
    assert.match(text, /\n\n3 resources, 1 failing\n$/);
  });

  test("long errors are cut unless -o wide, which also shows absolute times", () => {
    const long = {
      ...failingKv,
      status: { conditions: [cond("SecretSynced", "False", "VaultClientError", "x".repeat(200))] },
    };
    const rows = statusRows([{ kind: "VaultStaticSecret", items: [long] }], now);
    const narrow = renderTable(rows, { nowMs: now }).split("\n")[1] ?? "";
    assert.ok(narrow.endsWith("…"));
    assert.ok(narrow.length < 200);
    const wide = renderTable(statusRows([{ kind: "VaultPKISecret", items: [certificate] }], now), {
      nowMs: now,
      wide: true,
    });
    assert.match(wide, /in 13d \(2026-12-04T11:00:00Z\) \(certificate\)/);
    assert.match(renderTable(rows, { nowMs: now, wide: true }), /x{200}/);
  });

  test("nothing to show", () => {
    assert.equal(renderTable([], { nowMs: now }), "No Keyport resources found.\n");
  });
});

describe("json", () => {
  test("absolute times, a summary by kind, and the rows as they are", () => {
    const rows = statusRows([{ kind: "VaultStaticSecret", items: [healthyKv, failingKv] }], now);
    const doc = statusDocument(rows, now);
    assert.equal(doc.generatedAt, "2026-11-20T12:00:00Z");
    assert.deepEqual(doc.summary, {
      total: 2,
      failing: 1,
      byKind: { VaultStaticSecret: { total: 2, failing: 1 } },
    });
    const parsed = JSON.parse(renderJson(rows, now)) as typeof doc;
    assert.deepEqual(parsed.items, JSON.parse(JSON.stringify(rows)));
    assert.equal(parsed.items[1]?.reason, "VaultClientError");
  });
});
