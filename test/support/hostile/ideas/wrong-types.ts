// A field given a value of the wrong JSON type: a number for a string, an object for a list, a
// list for a map, null, a boolean spelled as a string. The CRD's structural schema should refuse
// nearly all of them; whatever gets through must become a condition.
import { describePath, fieldsOf, type Idea, setPath } from "../idea.ts";

const wrongValues: readonly unknown[] = [
  42,
  -1,
  3.14,
  true,
  "true",
  null,
  [],
  ["a", 1, null],
  {},
  { nested: { deeper: [1, 2, 3] } },
  "",
  [[[]]],
];

export const wrongTypes: Idea = {
  name: "wrong-types",
  apply(rng, candidate) {
    const path = rng.pick(fieldsOf[candidate.kind]);
    const value = rng.pick(wrongValues);
    setPath(candidate.spec, path, value);
    return `${describePath(path)} = ${JSON.stringify(value)}`;
  },
};
