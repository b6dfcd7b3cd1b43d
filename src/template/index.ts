// Keyport's template engine: Go text/template semantics with VSO's sprig function set, bounded
// in time, output and recursion, and unable to reach anything outside the data it is given.
import { TemplateError } from "./errors.ts";
import { executeTemplate } from "./exec.ts";
import { vsoFunctions } from "./funcs/index.ts";
import { goBytes, goString } from "./go-string.ts";
import { defaultLimits, type ExecLimits } from "./limits.ts";
import { isEmptyTree } from "./nodes.ts";
import { parseTemplate, type Tree } from "./parser.ts";
import type { GoValue } from "./values.ts";

export { TemplateError } from "./errors.ts";
export { vsoFunctionNames } from "./funcs/index.ts";
export { fromVaultJson, plainJsonMap, secretInput, stringMap, vaultMap } from "./input.ts";
export { marshal as goJsonMarshal } from "./json.ts";
export { defaultLimits, type ExecLimits } from "./limits.ts";
export type { GoValue } from "./values.ts";
export { GoMap } from "./values.ts";

const funcs = vsoFunctions;
const hasFunction = (name: string) => Object.hasOwn(funcs, name) || builtinNames.has(name);
const builtinNames = new Set([
  "and",
  "call",
  "html",
  "index",
  "slice",
  "js",
  "len",
  "not",
  "or",
  "print",
  "printf",
  "println",
  "urlquery",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "ne",
]);

// Parsed trees are immutable, so the same text need not be parsed on every sync.
const parsedCache = new Map<string, Map<string, Tree>>();
const parsedCacheSize = 512;

function parseCached(name: string, text: string): Map<string, Tree> {
  const key = `${name}\u0000${text}`;
  const hit = parsedCache.get(key);
  if (hit !== undefined) {
    parsedCache.delete(key);
    parsedCache.set(key, hit);
    return hit;
  }
  const trees = parseTemplate(goString(name), goString(text), hasFunction);
  parsedCache.set(key, trees);
  if (parsedCache.size > parsedCacheSize) parsedCache.delete(parsedCache.keys().next().value as string);
  return trees;
}

/**
 * A set of associated templates, as one Go `*template.Template` with several names: each
 * `parse` adds a template (and its {{define}}s); any template can call any other.
 */
export class TemplateSet {
  private readonly trees = new Map<string, Tree>();
  private readonly limits: ExecLimits;

  constructor(limits: Partial<ExecLimits> = {}) {
    this.limits = { ...defaultLimits, ...limits };
  }

  /** Parses `text` as template `name`; later definitions of a name replace earlier ones, as in Go. */
  parse(name: string, text: string): void {
    const trees = parseCached(name, text);
    for (const [n, tree] of trees) {
      if (this.trees.has(n) && isEmptyTree(tree.root)) continue;
      this.trees.set(n, tree);
    }
  }

  has(name: string): boolean {
    return this.trees.has(goString(name));
  }

  /** Runs template `name` on `data`; the output is raw bytes (Go strings may hold any bytes). */
  execute(name: string, data: GoValue): Buffer {
    return goBytes(executeTemplate(this.trees, funcs, goString(name), data, this.limits));
  }
}

/** Parses a single template text, reporting the first error (for validation). */
export function checkTemplate(name: string, text: string): TemplateError | undefined {
  try {
    new TemplateSet().parse(name, text);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}
