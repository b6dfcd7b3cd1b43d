// An independent witness of every write to the Secrets of one namespace: a watch through the
// apiserver from a known resourceVersion, so every version of every Secret that existed after
// that point is seen, whoever wrote it. Suites judge each recorded version afterwards.
import { type ChildProcess, spawn } from "node:child_process";
import { testEnv } from "../testenv.ts";
import { decoded, type SecretItem } from "./fleet.ts";

export interface SecretEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "ERROR" | "BOOKMARK";
  name: string;
  resourceVersion: string;
  data: Record<string, string>;
  /** When this process received it (ms since epoch). */
  at: number;
}

export interface Witness {
  events: SecretEvent[];
  /** Times the watch ended under us and was resumed from the last version seen. */
  resumed(): number;
  /**
   * Whether versions may have been missed: a resume was answered 410 Gone (or the apiserver was
   * away). Suites that judge every version assert this is false.
   */
  gap(): boolean;
  stop(): void;
}

/**
 * A watch on every Secret of `namespace` from `fromResourceVersion`. When the stream ends (the
 * apiserver closes watches now and then, or drops a slow consumer) it resumes from the last
 * version it saw, as a reflector does; a 410 on resume is recorded as a gap.
 */
export function watchSecrets(namespace: string, fromResourceVersion: string): Witness {
  const env = testEnv();
  const events: SecretEvent[] = [];
  let lastVersion = fromResourceVersion;
  let stopped = false;
  let gap = false;
  let resumes = 0;
  let child: ChildProcess | undefined;

  const open = () => {
    const query = new URLSearchParams({ watch: "1", resourceVersion: lastVersion });
    const c = spawn(
      env.kube.kubectl,
      [
        "--kubeconfig",
        env.kube.kubeconfig,
        "get",
        "--raw",
        `/api/v1/namespaces/${namespace}/secrets?${query}`,
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    child = c;
    let pending = "";
    c.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as {
          type: SecretEvent["type"];
          object: SecretItem & { code?: number };
        };
        if (event.type === "ERROR") {
          gap = true;
          continue;
        }
        if (event.type === "BOOKMARK") continue;
        lastVersion = event.object.metadata?.resourceVersion ?? lastVersion;
        events.push({
          type: event.type,
          name: event.object.metadata?.name ?? "",
          resourceVersion: event.object.metadata?.resourceVersion ?? "",
          data: decoded(event.object),
          at: Date.now(),
        });
      }
    });
    c.once("exit", (code) => {
      if (stopped) return;
      // kubectl fails (non-zero) when the apiserver answers 410 or is not there at all.
      if (code !== 0) gap = true;
      resumes++;
      setTimeout(() => {
        if (!stopped) open();
      }, 200);
    });
  };
  open();
  return {
    events,
    resumed: () => resumes,
    gap: () => gap,
    stop: () => {
      stopped = true;
      child?.kill("SIGTERM");
    },
  };
}
