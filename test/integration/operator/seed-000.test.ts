// Seed 000 exactly as written (examples/pki-openshift): the Vault team's script run with the real
// bao CLI, the manifests applied with kubectl, and the certificate checked the way the guide does.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { binaries, repoRoot } from "../../../tools/testenv/config.ts";
import { closeAgents } from "../../../tools/testenv/http.ts";
import { eventually } from "../../support/eventually.ts";
import {
  apply,
  getJson,
  installCrds,
  type KeyportProcess,
  kubectl,
  secretText,
  startKeyport,
  waitForSecret,
} from "../../support/keyport.ts";
import { testEnv } from "../../support/testenv.ts";

const example = join(repoRoot, "examples", "pki-openshift");
let keyport: KeyportProcess;

before(async () => {
  const env = testEnv();
  installCrds();
  execFileSync("bash", [join(example, "00-vault-setup.sh")], {
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      VAULT: binaries().openbao,
      VAULT_ADDR: env.vault.addr,
      VAULT_TOKEN: env.vault.token,
      KUBECTL: env.kube.kubectl,
      KUBECONFIG: env.kube.kubeconfig,
      API_CA_FILE: env.kube.caFile,
    },
  });
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: openshift-operators}\n");
  // The guide's: oc create secret generic vault-cacert --from-literal=ca.crt="$(cat /tmp/vault-ca.pem)"
  apply(
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
  apply(
    readFileSync(join(example, "10-connection.yaml"), "utf8")
      .replace("https://<vault-address>:8200", `https://127.0.0.1:${tlsPort}`)
      .replace('tlsServerName: "<vault-address>"', 'tlsServerName: "vault.testenv.local"'),
  );
  keyport = await startKeyport({
    operatorNamespace: "openshift-operators",
    watchNamespaces: ["openshift-operators", "app-1"],
  });
  apply(readFileSync(join(example, "20-app.yaml"), "utf8"));
});

after(async () => {
  await keyport?.stop();
  await closeAgents();
});

describe("seed 000: Vault PKI with VSO on OpenShift", () => {
  test("the VaultPKISecret delivers a 14-day certificate for foo.tenant-1.example.com into secretpki", async () => {
    const secret = await waitForSecret("app-1", "secretpki", () => true, 60_000);
    assert.equal(secret.type, "kubernetes.io/tls");
    const data = secretText(secret) ?? {};
    const leaf = new X509Certificate(data["tls.crt"] ?? "");
    assert.match(leaf.subject, /CN=foo\.tenant-1\.example\.com/);
    assert.match(leaf.issuer, /tenant-1 example CA/);
    const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
    assert.ok(days > 13.9 && days < 14.1, `lifetime ${days} days`);
    assert.ok(data["tls.key"]?.includes("PRIVATE KEY"));
  });

  test("it was issued through the templated policy in Vault namespace admin/tenant-1", async () => {
    const status = await eventually(() => {
      const view = getJson<{ status?: { serialNumber?: string; valid?: boolean } }>(
        "vaultpkisecret",
        "app-1",
        "vault-pki-app",
      );
      return view?.status?.valid ? view.status : undefined;
    });
    assert.ok(status.serialNumber);
    const auth = getJson<{ status?: { valid?: boolean } }>("vaultauth", "app-1", "vault-auth");
    assert.equal(auth?.status?.valid, true);
  });

  test("the Ingress that references secretpki is accepted by the apiserver", () => {
    const ingress = getJson<{ spec: { tls: Array<{ secretName: string }> } }>(
      "ingress",
      "app-1",
      "my-app-ingress",
    );
    assert.equal(ingress?.spec.tls[0]?.secretName, "secretpki");
  });
});
