// node bench/publish.ts bench/results/<stamp>.json — makes a full run the checked-in report:
// docs/performance.md (how to reproduce, then the run's own report) and its plots in
// docs/performance/. Only a --full run is published; the report is regenerated from the JSON, so
// what docs say is what the run measured.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { markdown, type Results } from "./report.ts";

const file = process.argv[2];
if (file === undefined || !file.endsWith(".json")) {
  process.stderr.write("usage: node bench/publish.ts bench/results/<stamp>.json\n");
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, "utf8")) as Results & { quick?: boolean };
if (results.quick === true) {
  process.stderr.write("refusing to publish a --quick run: the report is the --full one\n");
  process.exit(2);
}
const stamp = basename(file, ".json");
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const plots = join(repo, "docs", "performance");
mkdirSync(plots, { recursive: true });
for (const plot of ["throughput", "latency"]) {
  const source = join(dirname(file), `${stamp}-${plot}.svg`);
  if (existsSync(source)) copyFileSync(source, join(plots, `${plot}.svg`));
}
const report = markdown(results, stamp)
  .replaceAll(`(${stamp}-throughput.svg)`, "(performance/throughput.svg)")
  .replaceAll(`(${stamp}-latency.svg)`, "(performance/latency.svg)")
  .replace(/^# .*\n/, "");
const header = `# Performance

What Keyport costs and how fast it is, measured by \`npm run bench -- --full\` against the real
servers of tools/testenv (kube-apiserver, etcd, OpenBao, PostgreSQL) with the operator as a separate
process. Everything shares one 2-core machine, so read the figures as ratios and costs (requests per
object, writes in a steady state, certificates issued by a restart) more than as absolute rates.

Reproduce: \`npm run env:build\` once, then \`npm run bench -- --full\` (about 25 minutes); results
land in \`bench/results/\`, and \`node bench/publish.ts bench/results/<stamp>.json\` turns a run into
this page. \`npm run bench\` (--quick, under 3 minutes) is the smoke version. How each figure is
taken: [bench/results/README.md](../bench/results/README.md).

The run below: ${stamp}.

`;
// The reading of the figures is written by hand (it names the run it discusses); the rest is generated.
const analysisFile = join(plots, "analysis.md");
const analysis = existsSync(analysisFile) ? `${readFileSync(analysisFile, "utf8").trim()}\n\n` : "";
writeFileSync(join(repo, "docs", "performance.md"), `${header}${analysis}${report.replace(/^\n+/, "")}`);
process.stdout.write(`wrote docs/performance.md and docs/performance/*.svg from ${file}\n`);
