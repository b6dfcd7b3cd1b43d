// 6. Memory: the operator's resident set (from /proc) with N managed objects against the same
// process before it had any, and the V8 heap in use (from its /metrics) for comparison.
import { setTimeout as sleep } from "node:timers/promises";
import type { OperatorProcess } from "./lib/operator.ts";
import { sumOf } from "./lib/prom.ts";
import { MiB, median, round } from "./lib/stats.ts";

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

export interface MemoryPoint {
  n: number;
  rssMiB: number;
  baselineRssMiB: number;
  heapUsedMiB: number;
  baselineHeapUsedMiB: number;
  /** (RSS with N − RSS with none) / N. */
  rssBytesPerObject: number;
  heapBytesPerObject: number;
}

/** Waits `settleMs`, then takes `count` samples a second apart; medians of RSS and heap in use. */
export async function sampleMemory(op: OperatorProcess, settleMs: number, count = 5): Promise<MemorySample> {
  await sleep(settleMs);
  const rss: number[] = [];
  const heap: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(1000);
    rss.push(op.proc().rssBytes);
    heap.push(sumOf(await op.metrics(), "nodejs_heap_size_used_bytes"));
  }
  return { rssBytes: median(rss), heapUsedBytes: median(heap) };
}

export function memoryPoint(n: number, baseline: MemorySample, loaded: MemorySample): MemoryPoint {
  return {
    n,
    rssMiB: round(loaded.rssBytes / MiB),
    baselineRssMiB: round(baseline.rssBytes / MiB),
    heapUsedMiB: round(loaded.heapUsedBytes / MiB),
    baselineHeapUsedMiB: round(baseline.heapUsedBytes / MiB),
    rssBytesPerObject: Math.round((loaded.rssBytes - baseline.rssBytes) / n),
    heapBytesPerObject: Math.round((loaded.heapUsedBytes - baseline.heapUsedBytes) / n),
  };
}
