// The generated CRDs on a real kube-apiserver: they install and become Established, valid manifests
// of every kind are stored with the same defaults parse() applies, and invalid ones are refused with a
// message that names the field and the problem.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { allKinds, crdName, kindByName } from "../../../src/api/index.ts";
import { invalidFixtures, validFixtures } from "../../fixtures/api/fixtures.ts";
import { type TestEnv, testEnv } from "../../support/testenv.ts";

const run = promisify(execFile);
const crdDirectory = join(import.meta.dirname, "..", "..", "..", "deploy", "crds");
const namespace = `api-crds-${process.pid}`;

let env: TestEnv;

interface KubectlResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function kubectl(...args: string[]): Promise<KubectlResult> {
  try {
    const { stdout, stderr } = await run(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfig, ...args], {
      encoding: "utf8",
    });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: failed.stdout ?? "", stderr: failed.stderr ?? failed.message };
  }
}

async function kubectlOk(...args: string[]): Promise<string> {
  const result = await kubectl(...args);
  assert.ok(result.ok, `kubectl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function pluralOf(kindName: string): string {
  const kind = kindByName(kindName);
  assert.ok(kind, kindName);
  return kind.plural;
}

before(async () => {
  env = testEnv();
  await kubectlOk("apply", "--server-side", "--force-conflicts", "-f", crdDirectory);
  await kubectlOk(
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    ...allKinds.map((kind) => `crd/${crdName(kind)}`),
  );
  await kubectlOk("create", "namespace", namespace);
});

after(async () => {
  // No controller manager runs, so a deleted namespace would stay Terminating; remove the objects only.
  await kubectl("delete", "-n", namespace, allKinds.map((kind) => kind.plural).join(","), "--all");
});

describe("CRDs", () => {
  test("every CRD is Established with names accepted and no schema complaints", async () => {
    for (const kind of allKinds) {
      const crd = JSON.parse(await kubectlOk("get", "crd", crdName(kind), "-o", "json")) as {
        status: { conditions: { type: string; status: string; message: string }[] };
      };
      const byType = new Map(crd.status.conditions.map((c) => [c.type, c]));
      assert.equal(byType.get("Established")?.status, "True", kind.kind);
      assert.equal(byType.get("NamesAccepted")?.status, "True", kind.kind);
      assert.notEqual(
        byType.get("NonStructuralSchema")?.status,
        "True",
        byType.get("NonStructuralSchema")?.message,
      );
    }
  });

  test("applying them again changes nothing", async () => {
    const versions = async () =>
      Promise.all(
        allKinds.map((kind) =>
          kubectlOk("get", "crd", crdName(kind), "-o", "jsonpath={.metadata.resourceVersion}"),
        ),
      );
    const before = await versions();
    await kubectlOk("apply", "--server-side", "-f", crdDirectory);
    assert.deepEqual(await versions(), before);
  });
});

describe("valid manifests are accepted and defaulted like parse()", () => {
  for (const { file, path, manifests } of validFixtures()) {
    test(`valid/${file}`, async () => {
      await kubectlOk("apply", "--server-side", "-n", namespace, "-f", path);
      for (const manifest of manifests) {
        const stored = JSON.parse(
          await kubectlOk(
            "get",
            "-n",
            namespace,
            pluralOf(manifest.kind),
            manifest.metadata.name,
            "-o",
            "json",
          ),
        ) as { spec: unknown };
        const parsed = kindByName(manifest.kind)?.parse(manifest);
        assert.ok(parsed?.ok, parsed?.ok === false ? parsed.error.message : manifest.kind);
        assert.deepEqual(stored.spec, parsed.value.spec, `${manifest.kind} ${manifest.metadata.name}`);
      }
    });
  }
});

describe("invalid manifests are refused with a readable message", () => {
  for (const fixture of invalidFixtures()) {
    test(`invalid/${fixture.file}: ${fixture.why}`, async () => {
      assert.ok(fixture.apiserverSays.length > 0, "the fixture says what the API server reports");
      const result = await kubectl("apply", "--server-side", "-n", namespace, "-f", fixture.path);
      assert.equal(result.ok, false, `accepted: ${result.stdout}`);
      assert.ok(
        result.stderr.includes(`The ${fixture.manifest.kind} "${fixture.manifest.metadata.name}" is invalid`),
        result.stderr,
      );
      for (const words of fixture.apiserverSays) {
        assert.ok(result.stderr.includes(words), `"${words}" in: ${result.stderr}`);
      }
    });
  }
});

describe("status subresource and printer columns", () => {
  const name = "status-check";

  before(async () => {
    const manifest = {
      apiVersion: "secrets.hashicorp.com/v1beta1",
      kind: "VaultPKISecret",
      metadata: { name, namespace },
      spec: { mount: "pki_int", role: "web", destination: { name: "web-tls" } },
    };
    const file = join(mkdtempSync(join(tmpdir(), "keyport-api-")), "status-check.json");
    writeFileSync(file, JSON.stringify(manifest));
    await kubectlOk("apply", "--server-side", "-f", file);
  });

  test("status keeps VSO's required fields", async () => {
    const partial = await kubectl(
      "patch",
      "-n",
      namespace,
      "vaultpkisecret",
      name,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { serialNumber: "01:02" } }),
    );
    assert.equal(partial.ok, false);
    for (const field of ["error", "lastGeneration", "lastRotation", "valid"]) {
      assert.ok(partial.stderr.includes(`status.${field}: Required value`), partial.stderr);
    }
    const status = {
      serialNumber: "01:02",
      expiration: 1_900_000_000,
      lastGeneration: 1,
      lastRotation: 1_800_000_000,
      valid: true,
      error: "",
      conditions: [
        {
          type: "SecretSynced",
          status: "True",
          reason: "SecretSynced",
          message: "certificate issued",
          lastTransitionTime: "2026-06-30T12:00:00Z",
        },
      ],
    };
    await kubectlOk(
      "patch",
      "-n",
      namespace,
      "vaultpkisecret",
      name,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    );
    const stored = JSON.parse(await kubectlOk("get", "-n", namespace, "vaultpkisecret", name, "-o", "json"));
    const parsed = kindByName("VaultPKISecret")?.parse(stored);
    assert.ok(parsed?.ok, parsed?.ok === false ? parsed.error.message : "");
    assert.deepEqual(parsed.value.status, status);
  });

  test("kubectl get shows Synced, Healthy, Ready, (Keyport's Expires for certificates) and Age", async () => {
    const table = await kubectlOk("get", "-n", namespace, "vaultpkisecret", name);
    const [header, row] = table.trim().split("\n");
    assert.deepEqual(header?.split(/\s+/), ["NAME", "SYNCED", "HEALTHY", "READY", "EXPIRES", "AGE"]);
    assert.match(row ?? "", new RegExp(`^${name}\\s+True\\s+`));
    const connections = await kubectlOk("get", "-n", namespace, "vaultconnections");
    assert.deepEqual(connections.split("\n")[0]?.split(/\s+/), ["NAME", "HEALTHY", "READY", "AGE"]);
  });
});
