// The `keyport` command: `run` (the operator), `crds` (print the CRDs), `status` (what every
// resource is doing; also `kubectl keyport status` through bin/kubectl-keyport).
import { renderCrdsYaml } from "../api/index.ts";
import { startOperator, version } from "../controllers/operator.ts";
import { serve } from "../observability/health.ts";
import { createLogger } from "../observability/logger.ts";
import { Metrics } from "../observability/metrics.ts";
import { OptionsError, parseRunOptions } from "./options.ts";
import { runStatus } from "./status/command.ts";

async function run(args: string[]): Promise<number> {
  let options: ReturnType<typeof parseRunOptions>;
  try {
    options = parseRunOptions(args);
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`keyport run: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = createLogger({ level: options.logLevel, base: { component: "keyport" } });
  const metrics = new Metrics({ version });
  const operator = await startOperator(options, log, metrics);
  const servers = await Promise.all([
    serve(options.healthProbeBindAddress, { probes: operator }),
    serve(options.metricsBindAddress, { registry: metrics.registry }),
  ]);
  log.info(
    {
      version,
      operatorNamespace: options.operatorNamespace,
      health: options.healthProbeBindAddress,
      metrics: options.metricsBindAddress,
    },
    "keyport started",
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      resolve();
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  const forced = setTimeout(() => {
    log.error("shutdown took too long; exiting");
    process.exit(1);
  }, 30_000);
  forced.unref();
  await operator.stop();
  for (const server of servers) server?.close();
  log.info("stopped");
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case "run":
    process.exitCode = await run(rest);
    break;
  case "crds":
    process.stdout.write(renderCrdsYaml());
    break;
  case "status":
    process.exitCode = await runStatus(rest);
    break;
  case "version":
    process.stdout.write(`keyport ${version}\n`);
    break;
  default:
    process.stderr.write(
      "usage: keyport run [flags] | keyport status [flags] | keyport crds | keyport version\n",
    );
    process.exitCode = 2;
}
