// Faults of the real OpenBao dev server of the test environment. Dev mode keeps everything in
// memory, so Vault is never killed here (a restart would lose every mount, token and lease):
// - sealed with sys/seal (the root token) and unsealed with the dev server's unseal key —
//   what an operator does to a real Vault, data kept;
// - frozen with SIGSTOP and thawed with SIGCONT: the process exists, its sockets accept nothing
//   further and answer nothing, so clients hit their timeouts.
// Every fault is undone by restoreVault(), which tests call in `finally`.
import { join } from "node:path";
import { callJson } from "../../../tools/testenv/http.ts";
import { devUnsealKey } from "../../../tools/testenv/openbao.ts";
import { isOurs, readRecords } from "../../../tools/testenv/processes.ts";
import { eventually } from "../eventually.ts";
import { testEnv } from "../testenv.ts";

interface SealStatus {
  sealed: boolean;
  initialized: boolean;
}

export async function sealStatus(): Promise<SealStatus> {
  const res = await callJson("GET", `${testEnv().vault.addr}/v1/sys/seal-status`);
  return res.body as SealStatus;
}

function unsealKey(): string {
  const env = testEnv();
  const key = env.vault.unsealKey ?? devUnsealKey(join(env.runDir, "logs", "openbao.log"));
  if (key === undefined) throw new Error("the dev server's unseal key is not known (env.json, openbao.log)");
  return key;
}

export async function sealVault(): Promise<void> {
  const env = testEnv();
  // Known before sealing: without it, a sealed Vault could not be given back to the next tests.
  unsealKey();
  const res = await callJson("PUT", `${env.vault.addr}/v1/sys/seal`, {
    headers: { "x-vault-token": env.vault.token },
  });
  if (res.status >= 300) throw new Error(`sys/seal: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  await eventually(async () => (await sealStatus()).sealed, { timeoutMs: 10_000, message: "Vault sealed" });
}

export async function unsealVault(): Promise<void> {
  const env = testEnv();
  if (!(await sealStatus()).sealed) return;
  const res = await callJson("PUT", `${env.vault.addr}/v1/sys/unseal`, { body: { key: unsealKey() } });
  if (res.status >= 300) throw new Error(`sys/unseal: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  // Unsealed, and the active node serves requests again (health 200, not 503/429).
  await eventually(async () => (await callJson("GET", `${env.vault.addr}/v1/sys/health`)).status === 200, {
    timeoutMs: 30_000,
    message: "Vault active after unseal",
  });
}

function openbaoPid(): number {
  const record = readRecords(testEnv().runDir)
    .filter((r) => r.name === "openbao")
    .findLast(isOurs);
  if (record === undefined) throw new Error("the environment's OpenBao process is not running");
  return record.pid;
}

let frozenPid: number | undefined;

/** SIGSTOP: Vault's process stops running; the kernel still completes TCP handshakes. */
export function freezeVault(): void {
  const pid = openbaoPid();
  process.kill(pid, "SIGSTOP");
  frozenPid = pid;
}

/** SIGCONT: Vault carries on where it stopped, answering what queued meanwhile. */
export function thawVault(): void {
  if (frozenPid === undefined) return;
  try {
    process.kill(frozenPid, "SIGCONT");
  } finally {
    frozenPid = undefined;
  }
}

/** Undo every fault: never leave a frozen or sealed Vault to the tests that follow. */
export async function restoreVault(): Promise<void> {
  thawVault();
  await unsealVault();
}
