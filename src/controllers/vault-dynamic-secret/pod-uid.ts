// The operator pod's UID for status.lastRuntimePodUID, where VSO reads it: OPERATOR_POD_UID, else
// the downward-API file. Outside a pod there is none and the field is left as it is.
import { readFileSync } from "node:fs";

let cached: string | undefined | null = null;

export function runtimePodUid(): string | undefined {
  if (cached !== null) return cached;
  const fromEnv = process.env.OPERATOR_POD_UID;
  if (fromEnv !== undefined && fromEnv !== "") {
    cached = fromEnv;
    return cached;
  }
  try {
    cached = readFileSync("/var/run/podinfo/uid", "utf8").trim() || undefined;
  } catch {
    cached = undefined;
  }
  return cached;
}
