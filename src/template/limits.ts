// Bounds on one template execution, so a hostile or careless template fails quickly instead of
// exhausting the operator's CPU or memory.
import { TemplateError } from "./errors.ts";

export interface ExecLimits {
  /** Largest output of one template, and largest string any function may build (bytes). */
  maxOutputBytes: number;
  /** Evaluation steps (nodes, commands, function calls, loop iterations). */
  maxSteps: number;
  /** Wall-clock budget for one execution. */
  maxDurationMs: number;
  /** Nesting of {{template}} calls (Go allows 100000). */
  maxTemplateDepth: number;
  /** Elements any list-building function may produce. */
  maxListLength: number;
}

export const defaultLimits: ExecLimits = {
  maxOutputBytes: 1 << 20,
  maxSteps: 1_000_000,
  maxDurationMs: 2_000,
  maxTemplateDepth: 1_000,
  maxListLength: 100_000,
};

/** Counts work and checks the clock; shared by the executor and the functions it calls. */
export class Budget {
  readonly limits: ExecLimits;
  private steps = 0;
  private readonly deadline: number;
  constructor(limits: ExecLimits) {
    this.limits = limits;
    this.deadline = performance.now() + limits.maxDurationMs;
  }

  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      throw new TemplateError("limit", `template execution exceeded ${this.limits.maxSteps} steps`);
    }
    if ((this.steps & 1023) < n || n > 1023) this.checkTime();
  }

  checkTime(): void {
    if (performance.now() > this.deadline) {
      throw new TemplateError("limit", `template execution exceeded ${this.limits.maxDurationMs} ms`);
    }
  }

  /** Refuses to build a string longer than the output limit. */
  checkStringLength(n: number, what: string): void {
    if (n > this.limits.maxOutputBytes) {
      throw new TemplateError(
        "limit",
        `${what} would produce ${n} bytes, over the ${this.limits.maxOutputBytes}-byte limit`,
      );
    }
  }

  checkListLength(n: number, what: string): void {
    if (n > this.limits.maxListLength) {
      throw new TemplateError(
        "limit",
        `${what} would produce ${n} elements, over the ${this.limits.maxListLength}-element limit`,
      );
    }
    this.step(Math.ceil(n / 16));
  }
}
