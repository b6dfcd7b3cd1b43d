// node bench/heap-summary.ts <file.heapsnapshot> [top] — where a heap snapshot's memory is, by
// node type and constructor name (self sizes; no dominator tree), for `npm run bench -- --diagnose`.
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node bench/heap-summary.ts <file.heapsnapshot> [top]\n");
  process.exit(2);
}
const top = Number(process.argv[3] ?? 30);
const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const width = fields.length;
const typeAt = fields.indexOf("type");
const nameAt = fields.indexOf("name");
const sizeAt = fields.indexOf("self_size");
const groups = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + typeAt] as number] ?? "?";
  const rawName = snap.strings[snap.nodes[i + nameAt] as number] ?? "";
  const name =
    type === "string" || type === "concatenated string" || type === "sliced string"
      ? ""
      : rawName.slice(0, 60);
  const key = `${type} ${name}`.trim();
  const size = snap.nodes[i + sizeAt] as number;
  total += size;
  const g = groups.get(key) ?? { count: 0, bytes: 0 };
  g.count++;
  g.bytes += size;
  groups.set(key, g);
}
process.stdout.write(
  `total self size ${(total / 2 ** 20).toFixed(1)} MiB in ${snap.nodes.length / width} nodes\n`,
);
for (const [key, g] of [...groups].sort(([, a], [, b]) => b.bytes - a.bytes).slice(0, top)) {
  process.stdout.write(
    `${(g.bytes / 2 ** 20).toFixed(2).padStart(8)} MiB ${String(g.count).padStart(9)}  ${key}\n`,
  );
}
