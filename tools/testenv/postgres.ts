// PostgreSQL from Debian's packages on a loopback port, for the database secrets engine.
// PostgreSQL refuses to run as root, so when we are root it runs as the `postgres` user that
// Debian's package creates.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Binaries } from "./config.ts";
import { freePort } from "./ports.ts";
import { startProcess, waitFor } from "./processes.ts";

export interface PostgresEnv {
  host: string;
  port: number;
  database: string;
  adminUser: string;
  adminPassword: string;
  version: string;
  /** The folder holding psql (and initdb, postgres). */
  bin: string;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error("running as root, but there is no postgres user (apt-get install postgresql)");
  }
}

export async function startPostgres(runDir: string, bins: Binaries): Promise<PostgresEnv> {
  if (bins.postgresBin === "") {
    throw new Error("PostgreSQL is not installed: apt-get install postgresql (or set TESTENV_POSTGRES_BIN)");
  }
  const user = postgresUser();
  const dir = join(runDir, "postgres");
  const data = join(dir, "data");
  mkdirSync(dir, { recursive: true });
  const adminPassword = `pg-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, "pwfile");
  writeFileSync(pwfile, `${adminPassword}\n`);
  if (user !== undefined) {
    // The run dir's parents must be traversable by the postgres user; everything in dir is its own.
    chmodSync(runDir, 0o755);
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  execFileSync(
    join(bins.postgresBin, "initdb"),
    ["-D", data, "-U", "postgres", `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--no-sync", "-E", "UTF8"],
    { stdio: ["ignore", "ignore", "pipe"], ...(user ?? {}) },
  );
  const port = await freePort();
  const record = startProcess({
    name: "postgres",
    command: join(bins.postgresBin, "postgres"),
    runDir,
    args: [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "full_page_writes=off",
    ],
    // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for every client to leave.
    stopSignal: "SIGINT",
    ...(user ?? {}),
  });
  const psql = join(bins.postgresBin, "psql");
  const version = (): string =>
    execFileSync(
      psql,
      ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-tAc", "show server_version"],
      {
        encoding: "utf8",
        env: { ...process.env, PGPASSWORD: adminPassword, PGDATABASE: "postgres" },
        stdio: ["ignore", "pipe", "ignore"],
      },
    ).trim();
  await waitFor(
    "postgres",
    async () => {
      version();
      return true;
    },
    { record, runDir },
  );
  return {
    host: "127.0.0.1",
    port,
    database: "postgres",
    adminUser: "postgres",
    adminPassword,
    version: version(),
    bin: bins.postgresBin,
  };
}
