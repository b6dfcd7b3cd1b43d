// `node test/support/hostile/scan.ts` — the secrecy scan of test/support/hostile/secrecy.ts over
// the run directory in KEYPORT_TESTENV_DIR, for runs without the global teardown (for example
// `node --test 'test/integration/hostile/*.test.ts'` against an environment from `npm run env:up`).
// Exit status 1 when a recorded secret value was found.
import { load } from "../../../tools/testenv/environment.ts";
import { formatHits, scanRun } from "./secrecy.ts";

const dir = process.env.KEYPORT_TESTENV_DIR;
if (dir === undefined) {
  process.stderr.write("KEYPORT_TESTENV_DIR is not set\n");
  process.exit(2);
}
const env = load(dir);
const result = scanRun({ runDir: dir, kubectl: env.kube.kubectl, kubeconfig: env.kube.kubeconfig });
process.stdout.write(`${formatHits(result)}\n`);
process.exitCode = result.hits.length > 0 ? 1 : 0;
