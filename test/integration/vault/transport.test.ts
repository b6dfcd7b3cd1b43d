// The transport against the real OpenBao: health, TLS, mTLS (including replacing the client
// certificate at runtime), namespaces of errors, timeouts and retries.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { kubernetesAuth } from "../../../src/vault/auth/kubernetes.ts";
import { revokeSelf } from "../../../src/vault/engines/sys.ts";
import { isVaultError, type VaultErrorReason } from "../../../src/vault/errors.ts";
import { pingVault } from "../../../src/vault/health.ts";
import { readVersions } from "../../../tools/testenv/config.ts";
import { freePort } from "../../../tools/testenv/ports.ts";
import { freezeVault, thawVault } from "../../support/faults/vault-control.ts";
import {
  closeVaultClients,
  env,
  pem,
  rootClient,
  serviceAccountJwt,
  vaultHttp,
} from "../../support/vault-env.ts";

after(closeVaultClients);

const quick = { maxRetries: 0, minDelayMs: 0, maxDelayMs: 0 };
const reason = (expected: VaultErrorReason) => (e: unknown) => {
  assert.ok(isVaultError(e), `a VaultError, got ${String(e)}`);
  assert.equal(e.reason, expected, e.message);
  return true;
};
const stranger = () => ({
  clientCert: pem(join(env().runDir, "pki", "stranger.crt")),
  clientKey: pem(join(env().runDir, "pki", "stranger.key")),
});
const ours = () => ({
  clientCert: pem(env().vault.clientCertFile),
  clientKey: pem(env().vault.clientKeyFile),
});

describe("ping", () => {
  test("plain HTTP: OpenBao's version, initialised and unsealed", async () => {
    const ping = await pingVault(vaultHttp());
    assert.equal(ping.version, readVersions().OPENBAO_VERSION?.replace(/^v/, ""));
    assert.equal(ping.initialized, true);
    assert.equal(ping.sealed, false);
  });
});

describe("TLS", () => {
  test("trusts the server through the CA bundle", async () => {
    const ping = await pingVault(
      vaultHttp({ address: env().vault.tlsAddr, tls: { caCert: pem(env().vault.caFile) } }),
    );
    assert.equal(ping.version, env().vault.version);
  });

  test("a wrong CA is a TLSError", async () => {
    const wrongCa = pem(join(env().runDir, "pki", "kube-ca.crt"));
    await assert.rejects(
      pingVault(vaultHttp({ address: env().vault.tlsAddr, tls: { caCert: wrongCa }, retry: quick })),
      reason("TLSError"),
    );
  });

  test("no CA for a private CA is a TLSError", async () => {
    await assert.rejects(
      pingVault(vaultHttp({ address: env().vault.tlsAddr, retry: quick })),
      reason("TLSError"),
    );
  });

  test("skipTLSVerify accepts the server without a CA", async () => {
    const ping = await pingVault(vaultHttp({ address: env().vault.tlsAddr, tls: { skipVerify: true } }));
    assert.equal(ping.sealed, false);
  });

  test("tlsServerName is the name the certificate must match", async () => {
    const caCert = pem(env().vault.caFile);
    const good = await pingVault(
      vaultHttp({ address: env().vault.tlsAddr, tls: { caCert, serverName: "vault.testenv.local" } }),
    );
    assert.equal(good.sealed, false);
    await assert.rejects(
      pingVault(
        vaultHttp({
          address: env().vault.tlsAddr,
          tls: { caCert, serverName: "other.example.com" },
          retry: quick,
        }),
      ),
      reason("TLSError"),
    );
  });
});

describe("mTLS", () => {
  test("our client certificate is accepted, and a login works over it", async () => {
    const http = vaultHttp({
      address: env().vault.mtlsAddr,
      tls: { caCert: pem(env().vault.caFile), ...ours() },
    });
    assert.equal((await pingVault(http)).sealed, false);
    const f = env().fixtures;
    const auth = kubernetesAuth({
      mount: f.kubernetesAuthMount,
      role: f.role,
      jwt: () => serviceAccountJwt(),
    });
    const grant = await auth.authenticate(http);
    assert.ok(grant.policies.includes(f.policy));
    await revokeSelf(http, { token: grant.token });
  });

  test("no client certificate is a TLSError", async () => {
    const http = vaultHttp({
      address: env().vault.mtlsAddr,
      tls: { caCert: pem(env().vault.caFile) },
      retry: quick,
    });
    await assert.rejects(pingVault(http), reason("TLSError"));
  });

  test("a certificate from an untrusted CA is a TLSError", async () => {
    const http = vaultHttp({
      address: env().vault.mtlsAddr,
      tls: { caCert: pem(env().vault.caFile), ...stranger() },
      retry: quick,
    });
    await assert.rejects(pingVault(http), reason("TLSError"));
  });

  test("updateTls replaces the client certificate in the same transport", async () => {
    const caCert = pem(env().vault.caFile);
    const http = vaultHttp({ address: env().vault.mtlsAddr, tls: { caCert, ...stranger() }, retry: quick });
    await assert.rejects(pingVault(http), reason("TLSError"));
    await http.updateTls({ caCert, ...ours() });
    assert.equal((await pingVault(http)).sealed, false);
    // Material that cannot work is refused and the working certificate stays.
    await assert.rejects(
      http.updateTls({ caCert, clientCert: ours().clientCert, clientKey: stranger().clientKey }),
      reason("InvalidConfiguration"),
    );
    assert.equal((await pingVault(http)).sealed, false);
    await http.updateTls({ caCert, ...stranger() });
    await assert.rejects(pingVault(http), reason("TLSError"));
  });
});

describe("errors", () => {
  test("a missing secret is NotFound with status 404", async () => {
    await assert.rejects(
      rootClient().read(`${env().fixtures.kvV2Mount}/data/does/not/exist`),
      (e: unknown) => {
        assert.ok(isVaultError(e, "NotFound"));
        assert.equal(e.status, 404);
        return true;
      },
    );
  });

  test("a bad token is PermissionDenied, with Vault's message and without the token", async () => {
    const http = vaultHttp();
    await assert.rejects(
      http.send({ method: "GET", path: "auth/token/lookup-self", token: "s.not-a-real-token" }),
      (e: unknown) => {
        assert.ok(isVaultError(e, "PermissionDenied"));
        assert.equal(e.status, 403);
        assert.ok(e.errors.length > 0);
        assert.ok(!e.message.includes("s.not-a-real-token"));
        assert.ok(!JSON.stringify(e).includes("s.not-a-real-token"));
        return true;
      },
    );
  });

  test("an invalid request is InvalidRequest", async () => {
    const login = { method: "POST" as const, path: `auth/${env().fixtures.kubernetesAuthMount}/login` };
    await assert.rejects(
      vaultHttp().send({ ...login, body: { role: env().fixtures.role } }),
      reason("InvalidRequest"),
    );
  });

  test("LIST of an empty folder is an empty list", async () => {
    assert.deepEqual(
      await rootClient().list(`${env().fixtures.kvV1Mount}/no-such-folder-${process.pid}`),
      [],
    );
  });
});

describe("transport failures", () => {
  test("nothing listening is VaultUnreachable, after the configured retries", async () => {
    // A free loopback port: nothing listens there, as when Vault is not running.
    const port = await freePort();
    const attempts: string[] = [];
    const http = vaultHttp({
      address: `http://127.0.0.1:${port}`,
      retry: { maxRetries: 2, minDelayMs: 1, maxDelayMs: 2 },
      observer: { onAttempt: (a) => attempts.push(a.reason ?? String(a.status)) },
    });
    await assert.rejects(pingVault(http), reason("VaultUnreachable"));
    assert.deepEqual(attempts, ["VaultUnreachable", "VaultUnreachable", "VaultUnreachable"]);
    // A write that never reached a server is safe to send again as well.
    attempts.length = 0;
    await assert.rejects(http.send({ method: "POST", path: "sys/x", body: {} }), reason("VaultUnreachable"));
    assert.equal(attempts.length, 3);
  });

  test("a Vault that never answers (the real OpenBao, frozen with SIGSTOP) is a Timeout, not retried", async () => {
    const attempts: string[] = [];
    const http = vaultHttp({
      timeoutMs: 200,
      observer: { onAttempt: (a) => attempts.push(a.reason ?? String(a.status)) },
    });
    // The kernel still accepts the connection; the process behind it answers nothing.
    freezeVault();
    try {
      await assert.rejects(pingVault(http), reason("Timeout"));
    } finally {
      thawVault();
    }
    assert.deepEqual(attempts, ["Timeout"]);
  });

  test("a 403 is not retried", async () => {
    const attempts: number[] = [];
    const http = vaultHttp({ observer: { onAttempt: (a) => attempts.push(a.status ?? 0) } });
    await assert.rejects(
      http.send({ method: "GET", path: "sys/mounts", token: "bad" }),
      reason("PermissionDenied"),
    );
    assert.deepEqual(attempts, [403]);
  });
});
