// The request helper against the real apiserver: typed errors, timeouts, aborts, watch streams.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeClient } from "../../../src/kube/client.ts";
import { isNotFound, KubeApiError } from "../../../src/kube/errors.ts";
import type { KubeList, KubeObject, WatchEvent } from "../../../src/kube/object.ts";
import { create } from "../../../src/kube/patch.ts";
import { configMaps, resourcePath } from "../../../src/kube/resource.ts";
import { adminClient, freshNamespace } from "../../support/kube.ts";
import { testEnv } from "../../support/testenv.ts";

let admin: KubeClient;
let namespace: string;

before(async () => {
  admin = adminClient();
  namespace = await freshNamespace(admin, "client");
});

after(() => admin.close());

describe("KubeClient", () => {
  test("talks to the environment's apiserver with the kubeconfig's credentials", async () => {
    assert.equal(admin.server, testEnv().kube.apiUrl);
    const version = await admin.get<{ gitVersion: string }>("/version");
    assert.equal(version.gitVersion, testEnv().kube.version);
    const review = await admin.post<{ status: { userInfo: { username: string } } }>(
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    );
    assert.ok(review.status.userInfo.username !== "system:anonymous");
  });

  test("maps failures to KubeApiError with the Status reason", async () => {
    const missing = await admin
      .get(resourcePath(configMaps, { namespace, name: "absent" }))
      .catch((e: unknown) => e);
    assert.ok(missing instanceof KubeApiError);
    assert.equal(missing.status, 404);
    assert.equal(missing.reason, "NotFound");
    assert.equal(missing.details?.name, "absent");
    assert.ok(isNotFound(missing));

    const invalid = await admin
      .post(resourcePath(configMaps, { namespace }), { metadata: { name: "Not_A_Valid_Name" } })
      .catch((e: unknown) => e);
    assert.ok(invalid instanceof KubeApiError);
    assert.equal(invalid.status, 422);
    assert.equal(invalid.reason, "Invalid");
    assert.equal(invalid.details?.causes?.[0]?.field, "metadata.name");

    const noRoute = await admin.get("/apis/no.such.group/v1/things").catch((e: unknown) => e);
    assert.ok(noRoute instanceof KubeApiError);
    assert.equal(noRoute.status, 404);
  });

  test("a request that outlives its timeout fails with reason Timeout", async () => {
    // A watch read as a plain request never completes, so only the timeout can end it.
    const error = await admin
      .get(resourcePath(configMaps, { namespace }), { query: { watch: true }, timeoutMs: 300 })
      .catch((e: unknown) => e);
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.reason, "Timeout");
    assert.equal(error.status, 0);
  });

  test("the caller's abort stays an abort, not an API error", async () => {
    const controller = new AbortController();
    const pending = admin.get(resourcePath(configMaps, { namespace }), {
      query: { watch: true },
      signal: controller.signal,
    });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    assert.ok(!(error instanceof KubeApiError));
    assert.equal((error as Error).name, "AbortError");
  });

  test("an unreachable server is a NetworkError", async () => {
    const { KubeClient: Client } = await import("../../../src/kube/client.ts");
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: "nowhere", server: "https://127.0.0.1:1", skipTLSVerify: true },
      { name: "u" },
    );
    const client = new Client({ kubeConfig: kc });
    const error = await client.get("/version").catch((e: unknown) => e);
    await client.close();
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.reason, "NetworkError");
    assert.match(error.message, /ECONNREFUSED/);
  });

  test("watch yields raw events in order, and leaving the loop closes the stream", async () => {
    const list = await admin.get<KubeList<KubeObject>>(resourcePath(configMaps, { namespace }));
    const seen: string[] = [];
    const stream = admin.watch<KubeObject & { data?: Record<string, string> }>(
      resourcePath(configMaps, { namespace }),
      {
        query: { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      },
    );
    const writer = (async () => {
      for (const name of ["one", "two", "three"]) {
        await create(admin, configMaps, { metadata: { name, namespace }, data: { name } });
      }
    })();
    for await (const event of stream as AsyncGenerator<
      WatchEvent<KubeObject & { data?: Record<string, string> }>
    >) {
      if (event.type === "BOOKMARK") continue;
      assert.equal(event.type, "ADDED");
      const object = event.object as KubeObject & { data?: Record<string, string> };
      assert.equal(object.kind, "ConfigMap");
      assert.equal(typeof object.metadata?.creationTimestamp, "string");
      seen.push(object.data?.name ?? "");
      if (seen.length === 3) break;
    }
    await writer;
    assert.deepEqual(seen, ["one", "two", "three"]);
  });

  test("a watch from a bad resourceVersion fails as a typed error", async () => {
    const error = await (async () => {
      for await (const _ of admin.watch(resourcePath(configMaps, { namespace }), {
        query: { resourceVersion: "not-a-number" },
      })) {
        // Not reached.
      }
    })().catch((e: unknown) => e);
    assert.ok(error instanceof KubeApiError);
    // kube-apiserver answers this with 500 InternalError (it fails to parse the version).
    assert.ok(error.status >= 400, `status ${error.status}`);
    assert.match(error.message, /^WATCH .*: \d{3} \w+: .*resource ?version/i);
  });

  test("replacing the connection pool (credential rotation) never fails a request", async () => {
    // Age 0: every request adopts a freshly authenticated dispatcher and retires the last one.
    const rotating = adminClient({ dispatcherMaxAgeMs: 0 });
    try {
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, () => rotating.get<{ gitVersion: string }>("/version")),
        );
        assert.ok(results.every((r) => r.gitVersion === testEnv().kube.version));
      }
    } finally {
      await rotating.close();
    }
  });

  test("QPS limiting still lets every request through", async () => {
    const throttled = adminClient({ qps: 50, burst: 2 });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => throttled.get<{ gitVersion: string }>("/version")),
      );
      assert.equal(results.length, 10);
      assert.ok(results.every((r) => r.gitVersion === testEnv().kube.version));
    } finally {
      await throttled.close();
    }
  });
});
