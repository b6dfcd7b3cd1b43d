// node bench/cpu-summary.ts <file.cpuprofile> [top] — self time by function and by file for a
// V8 CPU profile (`npm run bench -- --diagnose` writes one per operator process).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node bench/cpu-summary.ts <file.cpuprofile> [top]\n");
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const total = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const short = (url: string) =>
  url
    .replace(/^file:\/\/.*?\/node_modules\//, "npm:")
    .replace(/^file:\/\/.*?\/(src|bench|tools)\//, "$1/")
    .replace(/^node:/, "node:") || "(native)";
for (const n of profile.nodes) {
  const hits = n.hitCount ?? 0;
  if (hits === 0) continue;
  const where = short(n.callFrame.url);
  const fn = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  const pkg = where.startsWith("npm:")
    ? where
        .split("/")
        .slice(0, where.startsWith("npm:@") ? 2 : 1)
        .join("/")
    : where;
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + hits);
}
const seconds = (profile.endTime - profile.startTime) / 1e6;
process.stdout.write(
  `${file}: ${seconds.toFixed(1)} s profiled, ${total} samples\n\nself time by file or package:\n`,
);
const pct = (h: number) => `${((h / total) * 100).toFixed(1).padStart(5)} %`;
for (const [k, h] of [...byFile].sort(([, a], [, b]) => b - a).slice(0, top))
  process.stdout.write(`${pct(h)}  ${k}\n`);
process.stdout.write("\nself time by function:\n");
for (const [k, h] of [...byFunction].sort(([, a], [, b]) => b - a).slice(0, top))
  process.stdout.write(`${pct(h)}  ${k}\n`);
