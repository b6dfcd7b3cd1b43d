// npm run env:up | env:down | env:status — one named environment (default "default").
import { parseArgs } from "node:util";
import { down, status, up } from "./environment.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: "string", default: "default" },
    "with-kcm": { type: "boolean", default: process.env.TESTENV_WITH_KCM === "1" },
    json: { type: "boolean", default: false },
  },
});

const command = positionals[0];
const name = values.name;

switch (command) {
  case "up": {
    const env = await up({
      name,
      controllerManager: values["with-kcm"],
      log: (line) => console.error(`[testenv] ${line}`),
    });
    console.log(
      `ready in ${env.startSeconds} s — npm run env:status for details; source ${env.runDir}/env.sh`,
    );
    break;
  }
  case "down": {
    const stopped = await down(name);
    console.log(stopped.length === 0 ? "nothing was running" : `stopped ${stopped.join(", ")}`);
    break;
  }
  case "status": {
    const { env, running, runDir } = status(name);
    if (values.json) {
      console.log(JSON.stringify({ runDir, running, env }, null, 2));
      break;
    }
    if (env === undefined) {
      console.log(`no environment "${name}" (${runDir})`);
      break;
    }
    console.log(`environment   ${name} (${runDir})`);
    console.log(`processes     ${running.length === 0 ? "none running" : running.join(", ")}`);
    console.log(`kubeconfig    ${env.kube.kubeconfig}`);
    console.log(`apiserver     ${env.kube.apiUrl} (${env.kube.version})`);
    console.log(
      `${env.vault.flavor.padEnd(13)} ${env.vault.addr} (${env.vault.version}), token ${env.vault.token}`,
    );
    console.log(`  tls         ${env.vault.tlsAddr} (CA ${env.vault.caFile})`);
    console.log(`  mtls        ${env.vault.mtlsAddr} (client cert ${env.vault.clientCertFile})`);
    console.log(`postgres      ${env.postgres.host}:${env.postgres.port} (${env.postgres.version})`);
    console.log(`shell         source ${runDir}/env.sh`);
    break;
  }
  default:
    console.error("usage: cli.ts up|down|status [--name NAME] [--with-kcm] [--json]");
    process.exitCode = 2;
}
