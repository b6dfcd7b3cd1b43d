// Reads the repository's Dockerfile into stages and instructions, so tests can check what the image
// does (user, entrypoint, what its final stage copies) and run the very command it runs.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Instruction {
  /** Upper case: FROM, COPY, RUN, … */
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
}

export interface Stage {
  /** The image after FROM (and after --platform=…). */
  base: string;
  platform: string | undefined;
  /** The name after AS, if any. */
  name: string | undefined;
  instructions: Instruction[];
}

export const repoRoot = join(import.meta.dirname, "..", "..");

/** Splits a Dockerfile into stages; comments and parser directives are dropped. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (pending !== "" && line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = "";
  }
  if (pending !== "") logical.push(pending.trim());
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const keyword = (match[1] ?? "").toUpperCase();
    const args = match[2] ?? "";
    if (keyword === "FROM") {
      const words = args.split(/\s+/);
      const platform = words.find((w) => w.startsWith("--platform="))?.slice("--platform=".length);
      const rest = words.filter((w) => !w.startsWith("--"));
      const as = rest.findIndex((w) => w.toUpperCase() === "AS");
      stages.push({
        base: rest[0] ?? "",
        platform,
        name: as >= 0 ? rest[as + 1] : undefined,
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** The JSON array of an exec-form instruction (ENTRYPOINT ["a", "b"]), or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) return undefined;
  return parsed;
}

export function readDockerfile(path = join(repoRoot, "Dockerfile")): Stage[] {
  return parseDockerfile(readFileSync(path, "utf8"));
}

/** The last value of an instruction in a stage (USER, WORKDIR, ENTRYPOINT, CMD). */
export function last(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
}

export interface ImageCommand {
  entrypoint: string[];
  /** What `docker run IMAGE args…` replaces. */
  cmd: string[];
  /** ENTRYPOINT followed by CMD, both exec form. */
  argv: string[];
  workdir: string;
  user: string;
  env: Record<string, string>;
}

/** What a container of the final stage runs, as the runtime would: ENTRYPOINT + CMD in WORKDIR. */
export function imageCommand(stages: Stage[] = readDockerfile()): ImageCommand {
  const final = stages.at(-1);
  if (final === undefined) throw new Error("the Dockerfile has no stage");
  const entrypoint = execForm(last(final, "ENTRYPOINT") ?? "");
  const cmd = execForm(last(final, "CMD") ?? "[]");
  if (entrypoint === undefined || cmd === undefined) throw new Error("ENTRYPOINT and CMD must be exec form");
  const env: Record<string, string> = {};
  for (const i of final.instructions.filter((x) => x.keyword === "ENV")) {
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
      env[m[1] ?? ""] = (m[2] ?? "").replace(/^"|"$/g, "");
    }
  }
  return {
    entrypoint,
    cmd,
    argv: [...entrypoint, ...cmd],
    workdir: last(final, "WORKDIR") ?? "/",
    user: last(final, "USER") ?? "",
    env,
  };
}

/** The paths tools/image/files.txt lists, in order. */
export function shippedPaths(): string[] {
  return readFileSync(join(repoRoot, "tools", "image", "files.txt"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
