import assert from "node:assert/strict";
import { test } from "node:test";
import { cachedBinary, readVersions } from "../../tools/testenv/config.ts";
import { freePort, freePortPair } from "../../tools/testenv/ports.ts";

test("versions.env pins every server testenv builds", () => {
  const v = readVersions();
  assert.match(v.K8S_VERSION ?? "", /^v1\.34\.\d+$/);
  assert.match(v.ETCD_VERSION ?? "", /^v3\.6\.\d+$/);
  assert.match(v.OPENBAO_PSEUDO ?? "", /^v0\.0\.0-\d{14}-[0-9a-f]{12}$/);
});

test("cache keys name component, version, Go version and platform", () => {
  const path = cachedBinary("etcd", "v3.6.16", "etcd");
  assert.match(path, /\/bin\/etcd-v3\.6\.16-go1\.\d+(\.\d+)?-[a-z0-9]+_[a-z0-9]+-r\d+\/etcd$/);
});

test("free ports are on loopback and distinct pairs leave port+1 free", async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const pair = await freePortPair();
  assert.ok(pair > 0 && pair + 1 < 65536);
});
