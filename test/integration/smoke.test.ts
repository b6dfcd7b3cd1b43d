// Proves the test environment is the real thing: every test names the server it talked to, so a
// stand-in cannot pass.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { readVersions } from "../../tools/testenv/config.ts";
import { callJson, closeAgents } from "../../tools/testenv/http.ts";
import { type TestEnv, testEnv } from "../support/testenv.ts";

const versions = readVersions();
let env: TestEnv;
let core: CoreV1Api;

async function vault(method: "GET" | "POST" | "PUT", path: string, token: string, body?: unknown) {
  const res = await callJson(method, `${env.vault.addr}/v1/${path}`, {
    headers: { "x-vault-token": token },
    body,
  });
  return res as { status: number; body: { data?: Record<string, unknown>; auth?: { client_token: string } } };
}

async function serviceAccountToken(name: string, audience: string): Promise<string> {
  const res = await core.createNamespacedServiceAccountToken({
    name,
    namespace: "demo",
    body: { spec: { audiences: [audience], expirationSeconds: 600 } },
  });
  const token = res.status?.token;
  assert.ok(token, "TokenRequest returned a token");
  return token;
}

before(() => {
  env = testEnv();
  const kc = new KubeConfig();
  kc.loadFromFile(env.kube.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});

after(() => closeAgents());

describe("servers", () => {
  test(`kube-apiserver is ${versions.K8S_VERSION}`, async () => {
    const res = await callJson("GET", `${env.kube.apiUrl}/version`, { tls: { ca: env.kube.caFile } });
    assert.equal(res.status, 200);
    assert.equal((res.body as { gitVersion: string }).gitVersion, versions.K8S_VERSION);
  });

  test(`vault is OpenBao ${versions.OPENBAO_VERSION}, unsealed`, async () => {
    const res = await callJson("GET", `${env.vault.addr}/v1/sys/health`);
    const health = res.body as { version: string; sealed: boolean; initialized: boolean };
    assert.equal(res.status, 200);
    assert.equal(health.version, versions.OPENBAO_VERSION?.replace(/^v/, ""));
    assert.equal(health.sealed, false);
  });

  test("the apiserver serves OIDC discovery and JWKS anonymously, issuer without trailing slash", async () => {
    const discovery = await callJson("GET", `${env.kube.apiUrl}/.well-known/openid-configuration`, {
      tls: { ca: env.kube.caFile },
    });
    assert.equal(discovery.status, 200);
    const doc = discovery.body as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, env.kube.issuer);
    assert.ok(!doc.issuer.endsWith("/"));
    const jwks = await callJson("GET", doc.jwks_uri, { tls: { ca: env.kube.caFile } });
    assert.equal(jwks.status, 200);
    assert.ok((jwks.body as { keys: unknown[] }).keys.length >= 1);
  });
});

describe("auth: a TokenRequest token logs in to Vault", () => {
  for (const [method, mount] of [
    ["kubernetes auth (TokenReview against our apiserver)", "kubernetesAuthMount"],
    ["jwt auth (service-account public key)", "jwtAuthMount"],
    ["jwt auth (jwks_url of our apiserver)", "jwksAuthMount"],
  ] as const) {
    test(method, async () => {
      const jwt = await serviceAccountToken("demo", env.fixtures.audience);
      const res = await vault("POST", `auth/${env.fixtures[mount]}/login`, "", {
        role: env.fixtures.role,
        jwt,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const token = res.body.auth?.client_token;
      assert.ok(token);
      const self = await vault("GET", "auth/token/lookup-self", token);
      assert.deepEqual([...((self.body.data?.policies ?? []) as string[])].sort(), [
        "default",
        env.fixtures.policy,
      ]);
    });
  }

  test("kubernetes auth refuses a token for another audience", async () => {
    const jwt = await serviceAccountToken("demo", "not-vault");
    const res = await vault("POST", `auth/${env.fixtures.kubernetesAuthMount}/login`, "", {
      role: env.fixtures.role,
      jwt,
    });
    assert.equal(res.status, 403);
  });
});

describe("engines", () => {
  let token: string;
  before(async () => {
    const jwt = await serviceAccountToken("demo", env.fixtures.audience);
    const login = await vault("POST", `auth/${env.fixtures.kubernetesAuthMount}/login`, "", {
      role: env.fixtures.role,
      jwt,
    });
    token = login.body.auth?.client_token ?? "";
  });

  test("kv-v2: a secret written as root is read through the policy", async () => {
    const path = `${env.fixtures.kvV2Mount}/data/smoke/app-${process.pid}`;
    const write = await vault("POST", path, env.vault.token, {
      data: { username: "app", password: "s3cret" },
    });
    assert.equal(write.status, 200);
    const read = await vault("GET", path, token);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.data?.data, { username: "app", password: "s3cret" });
    assert.deepEqual(read.body.data?.metadata, { ...(read.body.data?.metadata as object), version: 1 });
  });

  test("pki: a certificate from the intermediate chains to the root", async () => {
    const res = await vault("POST", `${env.fixtures.pkiIntMount}/issue/${env.fixtures.pkiRole}`, token, {
      common_name: "smoke.example.com",
      alt_names: "www.smoke.example.com",
      ip_sans: "127.0.0.1",
      ttl: "1h",
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const data = res.body.data as {
      certificate: string;
      issuing_ca: string;
      ca_chain: string[];
      serial_number: string;
    };
    const leaf = new X509Certificate(data.certificate);
    const intermediate = new X509Certificate(data.issuing_ca);
    const rootPem = (await vault("GET", `${env.fixtures.pkiRootMount}/cert/ca`, token)).body.data
      ?.certificate;
    const root = new X509Certificate(rootPem as string);
    assert.match(leaf.subject, /CN=smoke\.example\.com/);
    assert.match(leaf.subjectAltName ?? "", /DNS:www\.smoke\.example\.com/);
    assert.match(leaf.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
    assert.ok(
      leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey),
      "leaf signed by intermediate",
    );
    assert.ok(
      intermediate.checkIssued(root) && intermediate.verify(root.publicKey),
      "intermediate signed by root",
    );
    assert.ok(root.verify(root.publicKey), "root is self-signed");
    assert.equal(leaf.serialNumber.toLowerCase(), data.serial_number.replaceAll(":", "").toLowerCase());
    const lifetime = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
    assert.ok(lifetime <= 3_700_000, `lifetime ${lifetime} ms is the requested hour`);
  });

  test("database: a dynamic credential connects to PostgreSQL", async () => {
    const res = await vault("GET", `${env.fixtures.databaseMount}/creds/${env.fixtures.databaseRole}`, token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { username, password } = res.body.data as { username: string; password: string };
    const bin = execFileSync("bash", ["-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1"], {
      encoding: "utf8",
    }).trim();
    const who = execFileSync(
      join(bin, "psql"),
      [
        "-h",
        env.postgres.host,
        "-p",
        String(env.postgres.port),
        "-d",
        env.postgres.database,
        "-tAc",
        "select current_user || ' ' || split_part(version(), ' ', 2)",
      ],
      { encoding: "utf8", env: { ...process.env, PGUSER: username, PGPASSWORD: password } },
    ).trim();
    assert.equal(who, `${username} ${env.postgres.version.split(" ")[0]}`);
  });
});

describe("tls listeners", () => {
  test("the TLS listener serves a certificate from our CA", async () => {
    const res = await callJson("GET", `${env.vault.tlsAddr}/v1/sys/health`, {
      tls: { ca: env.vault.caFile },
    });
    assert.equal(res.status, 200);
    assert.equal((res.body as { version: string }).version, env.vault.version);
  });

  test("the mTLS listener refuses a client without a certificate", async () => {
    await assert.rejects(
      callJson("GET", `${env.vault.mtlsAddr}/v1/sys/health`, { tls: { ca: env.vault.caFile } }),
    );
  });

  test("the mTLS listener refuses a certificate from another CA", async () => {
    const pki = join(env.runDir, "pki");
    await assert.rejects(
      callJson("GET", `${env.vault.mtlsAddr}/v1/sys/health`, {
        tls: { ca: env.vault.caFile, cert: join(pki, "stranger.crt"), key: join(pki, "stranger.key") },
      }),
    );
  });

  test("the mTLS listener accepts our client certificate", async () => {
    const res = await callJson("GET", `${env.vault.mtlsAddr}/v1/sys/health`, {
      tls: { ca: env.vault.caFile, cert: env.vault.clientCertFile, key: env.vault.clientKeyFile },
    });
    assert.equal(res.status, 200);
    assert.equal((res.body as { version: string }).version, env.vault.version);
  });
});
