// The hostile-input generator: from a seed, `count` resources of six kinds, each a valid resource
// with one idea applied (sometimes two). Deterministic: the same seed and context give the same
// list, so `KEYPORT_FUZZ_SEED=<n>` reproduces a run.
import type { Candidate, Idea, Kind } from "./idea.ts";
import { deepNesting } from "./ideas/deep-nesting.ts";
import { durations } from "./ideas/durations.ts";
import { hugeStrings } from "./ideas/huge-strings.ts";
import { numbers } from "./ideas/numbers.ts";
import { references } from "./ideas/references.ts";
import { regexes } from "./ideas/regexes.ts";
import { templates } from "./ideas/templates.ts";
import { unicode } from "./ideas/unicode.ts";
import { wrongTypes } from "./ideas/wrong-types.ts";
import { Rng } from "./random.ts";

export const ideas: readonly Idea[] = [
  wrongTypes,
  hugeStrings,
  unicode,
  deepNesting,
  numbers,
  durations,
  regexes,
  templates,
  references,
];

/** What the valid resources point at: a KV secret, the PKI role, a database role, a connection. */
export interface FuzzContext {
  vaultAddress: string;
  kvMount: string;
  kvPath: string;
  pkiMount: string;
  pkiRole: string;
  databaseMount: string;
  databaseRole: string;
  /** VaultAuth (in the fuzz namespace) that the secret kinds use. */
  vaultAuth: string;
  kubernetesRole: string;
}

export interface Generated extends Candidate {
  index: number;
  ideas: string[];
  description: string;
}

/** Weights: cheap kinds more often; VaultDynamicSecret (a database user each) least. */
const kinds: readonly Kind[] = [
  "VaultStaticSecret",
  "VaultStaticSecret",
  "VaultStaticSecret",
  "SecretTransformation",
  "SecretTransformation",
  "VaultAuth",
  "VaultAuth",
  "VaultConnection",
  "VaultConnection",
  "VaultPKISecret",
  "VaultDynamicSecret",
];

function base(kind: Kind, name: string, ctx: FuzzContext): Record<string, unknown> {
  const destination = { name, create: true };
  switch (kind) {
    case "VaultConnection":
      return { address: ctx.vaultAddress, timeout: "5s" };
    case "VaultAuth":
      return {
        vaultConnectionRef: "vault",
        method: "kubernetes",
        mount: "kubernetes",
        kubernetes: { role: ctx.kubernetesRole, serviceAccount: "default", audiences: ["vault"] },
      };
    case "VaultStaticSecret":
      return {
        vaultAuthRef: ctx.vaultAuth,
        type: "kv-v2",
        mount: ctx.kvMount,
        path: ctx.kvPath,
        refreshAfter: "1h",
        destination: {
          ...destination,
          transformation: { templates: { out: { text: "{{ .Secrets.value }}" } } },
        },
      };
    case "VaultPKISecret":
      return {
        vaultAuthRef: ctx.vaultAuth,
        mount: ctx.pkiMount,
        role: ctx.pkiRole,
        commonName: `${name}.example.com`,
        ttl: "1h",
        destination,
      };
    case "VaultDynamicSecret":
      return {
        vaultAuthRef: ctx.vaultAuth,
        mount: ctx.databaseMount,
        path: `creds/${ctx.databaseRole}`,
        destination,
      };
    case "SecretTransformation":
      return { templates: { out: { text: "{{ .Secrets.value }}" } } };
  }
}

export function generateHostile(seed: number, count: number, ctx: FuzzContext): Generated[] {
  const rng = new Rng(seed);
  const out: Generated[] = [];
  for (let index = 0; index < count; index++) {
    const kind = rng.pick(kinds);
    const name = `fuzz-${index}`;
    const candidate: Candidate = { kind, name, metadata: {}, spec: base(kind, name, ctx) };
    // Every idea in turn, so each gets its share whatever the seed; a second one now and then.
    const applied = [ideas[index % ideas.length] as Idea];
    if (rng.chance(0.2)) applied.push(rng.pick(ideas));
    const descriptions = applied.map((idea) => idea.apply(rng, candidate));
    out.push({
      ...candidate,
      index,
      ideas: applied.map((i) => i.name),
      description: `${kind} ${name}: ${descriptions.join("; ")}`,
    });
  }
  return out;
}
