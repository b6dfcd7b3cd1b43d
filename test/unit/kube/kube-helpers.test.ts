import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadKubeConfig } from "../../../src/kube/client.ts";
import { isConflict, isGone, isNotFound, KubeApiError, reasonForCode } from "../../../src/kube/errors.ts";
import { dropManagedFields } from "../../../src/kube/reflector.ts";
import { configMaps, leases, namespaces, resourcePath } from "../../../src/kube/resource.ts";
import { classifyError } from "../../../src/runtime/errors.ts";

describe("resourcePath", () => {
  test("builds core, group, cluster-scoped and subresource paths", () => {
    assert.equal(resourcePath(configMaps), "/api/v1/configmaps");
    assert.equal(resourcePath(configMaps, { namespace: "ns" }), "/api/v1/namespaces/ns/configmaps");
    assert.equal(
      resourcePath(leases, { namespace: "ns", name: "lock" }),
      "/apis/coordination.k8s.io/v1/namespaces/ns/leases/lock",
    );
    assert.equal(resourcePath(namespaces, { namespace: "ignored", name: "ns" }), "/api/v1/namespaces/ns");
    assert.equal(
      resourcePath(
        {
          apiVersion: "secrets.hashicorp.com/v1beta1",
          kind: "VaultStaticSecret",
          plural: "vaultstaticsecrets",
          namespaced: true,
        },
        { namespace: "app", name: "db", subresource: "status" },
      ),
      "/apis/secrets.hashicorp.com/v1beta1/namespaces/app/vaultstaticsecrets/db/status",
    );
  });

  test("encodes path segments", () => {
    assert.equal(
      resourcePath(configMaps, { namespace: "ns", name: "a/b" }),
      "/api/v1/namespaces/ns/configmaps/a%2Fb",
    );
  });
});

describe("KubeApiError", () => {
  const error = (status: number, reason: string) =>
    new KubeApiError({ status, reason, message: "m", method: "GET", path: "/p" });

  test("predicates recognise the common statuses", () => {
    assert.ok(isNotFound(error(404, "NotFound")));
    assert.ok(isConflict(error(409, "Conflict")));
    assert.ok(
      !isConflict(error(409, "AlreadyExists")),
      "AlreadyExists is not an optimistic-concurrency conflict",
    );
    assert.ok(isGone(error(410, "Expired")));
    assert.ok(!isNotFound(new Error("404")));
  });

  test("fills in a reason when the Status has none", () => {
    assert.equal(KubeApiError.fromStatus({ code: 410 }, 200, "WATCH", "/p").reason, "Gone");
    assert.equal(reasonForCode(503), "ServiceUnavailable");
    assert.equal(reasonForCode(599), "InternalError");
  });

  test("a controller classifies it under its own fallback reason (VSO's K8sClientError)", () => {
    const classified = classifyError(error(409, "Conflict"), "K8sClientError");
    assert.equal(classified.reason, "K8sClientError");
    assert.equal(classified.retryable, true);
  });
});

describe("dropManagedFields", () => {
  test("removes managedFields and nothing else, without mutating the input", () => {
    const object = { kind: "ConfigMap", metadata: { name: "x", managedFields: [{}], labels: { a: "b" } } };
    const stripped = dropManagedFields(object);
    assert.deepEqual(stripped, { kind: "ConfigMap", metadata: { name: "x", labels: { a: "b" } } });
    assert.equal(object.metadata.managedFields.length, 1);
  });
});

describe("loadKubeConfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyport-kubeconfig-"));
  const file = (name: string, server: string) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: "${server}" }
- name: c2
  cluster: { server: "https://second.example:6443" }
users:
- name: u
  user: { token: t }
contexts:
- name: one
  context: { cluster: c1, user: u, namespace: ops }
- name: two
  context: { cluster: c2, user: u }
current-context: one
`,
    );
    return path;
  };

  test("an explicit path wins over KUBECONFIG", () => {
    const explicit = file("explicit", "https://explicit.example:6443");
    const fromEnv = file("env", "https://env.example:6443");
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = fromEnv;
    try {
      assert.equal(
        loadKubeConfig({ kubeconfig: explicit }).getCurrentCluster()?.server,
        "https://explicit.example:6443",
      );
      assert.equal(loadKubeConfig().getCurrentCluster()?.server, "https://env.example:6443");
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  test("selects a context by name and refuses an unknown one", () => {
    const path = file("contexts", "https://one.example:6443");
    assert.equal(
      loadKubeConfig({ kubeconfig: path, context: "two" }).getCurrentCluster()?.server,
      "https://second.example:6443",
    );
    assert.throws(() => loadKubeConfig({ kubeconfig: path, context: "three" }), /no context "three"/);
  });
});
