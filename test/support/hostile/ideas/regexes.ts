// includes/excludes are regular expressions on field names: invalid ones, Go-incompatible syntax,
// catastrophic backtracking, and very long patterns. A bad pattern must be a condition, not an
// exception that escapes a reconcile, and must not stall the operator.
import { type Idea, setPath } from "../idea.ts";

const patterns: readonly string[] = [
  "(",
  "[",
  "*",
  "a{2,1}",
  "(?<=x)y",
  "(?P<n>x)",
  "\\",
  "(a+)+$",
  "(.*a){25}",
  "((((((((((x))))))))))*+",
  "\\p{Foo}",
  "(?i)(?-i)(?s).*",
  `${"(a|".repeat(500)}b${")".repeat(500)}`,
  "a".repeat(100_000),
];

export const regexes: Idea = {
  name: "regexes",
  apply(rng, candidate) {
    const list = Array.from({ length: rng.int(1, 3) }, () => rng.pick(patterns));
    const field = rng.pick(["includes", "excludes"]);
    const path =
      candidate.kind === "SecretTransformation" ? [field] : ["destination", "transformation", field];
    setPath(candidate.spec, path, list);
    return `spec.${path.join(".")} = [${list.map((p) => JSON.stringify(p.length > 30 ? `${p.slice(0, 30)}…` : p)).join(", ")}]`;
  },
};
