// A second, real OpenBao (dev mode, the environment's own binary) whose TLS listener serves a
// certificate that expired in 2024, signed by the environment's Vault CA: everything about it is
// right except its dates. Recorded in the run's pids file, so env:down stops it even if the test
// cannot.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callJson } from "../../../tools/testenv/http.ts";
import { freePortPair } from "../../../tools/testenv/ports.ts";
import { readRecords, startProcess } from "../../../tools/testenv/processes.ts";
import { eventually } from "../eventually.ts";
import type { TestEnv } from "../testenv.ts";

export interface ExpiredVault {
  /** https address of the listener with the expired certificate. */
  tlsAddr: string;
  certFile: string;
  stop(): void;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A server certificate for 127.0.0.1 valid only on 1–2 January 2024, signed by the Vault CA. */
function expiredCertificate(dir: string, env: TestEnv): { cert: string; key: string } {
  const pki = join(env.runDir, "pki");
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), `${randomBytes(8).toString("hex")}\n`);
  writeFileSync(
    join(dir, "ca.cnf"),
    `[ca]
default_ca = expired
[expired]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}
serial = ${dir}/serial
default_md = sha256
policy = any
[any]
commonName = supplied
`,
  );
  writeFileSync(
    join(dir, "ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
  );
  openssl(
    dir,
    ...["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
    ...["-subj", "/CN=expired.vault.testenv.local", "-keyout", "expired.key", "-out", "expired.csr"],
  );
  openssl(
    dir,
    ...["ca", "-batch", "-notext", "-config", "ca.cnf", "-extfile", "ext"],
    ...["-cert", join(pki, "vault-ca.crt"), "-keyfile", join(pki, "vault-ca.key")],
    ...["-startdate", "20240101000000Z", "-enddate", "20240102000000Z"],
    ...["-in", "expired.csr", "-out", "expired.crt"],
  );
  return { cert: join(dir, "expired.crt"), key: join(dir, "expired.key") };
}

export async function startExpiredVault(env: TestEnv): Promise<ExpiredVault> {
  const bao = readRecords(env.runDir).find((r) => r.name === "openbao")?.executable;
  if (bao === undefined) throw new Error("the environment's OpenBao binary is not in its pids file");
  const dir = join(env.runDir, `expired-vault-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const { cert, key } = expiredCertificate(dir, env);
  const [port, tlsPort] = [await freePortPair(), await freePortPair()];
  writeFileSync(
    join(dir, "bao.hcl"),
    `listener "tcp" {
  address = "127.0.0.1:${tlsPort}"
  cluster_address = "127.0.0.1:${tlsPort + 1}"
  tls_cert_file = "${cert}"
  tls_key_file = "${key}"
}
`,
  );
  const addr = `http://127.0.0.1:${port}`;
  const record = startProcess({
    name: "openbao-expired",
    command: bao,
    runDir: env.runDir,
    args: [
      "server",
      "-dev",
      `-dev-root-token-id=${randomBytes(12).toString("hex")}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-no-store-token",
      `-config=${join(dir, "bao.hcl")}`,
      "-log-level=warn",
    ],
    env: { ...process.env, HOME: dir, BAO_ADDR: addr, VAULT_ADDR: addr },
  });
  await eventually(async () => (await callJson("GET", `${addr}/v1/sys/health`)).status === 200, {
    timeoutMs: 30_000,
    message: "the second OpenBao",
  });
  return {
    tlsAddr: `https://127.0.0.1:${tlsPort}`,
    certFile: cert,
    stop: () => {
      try {
        process.kill(record.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    },
  };
}
