// Deeply nested objects and lists, in a known field (where the schema wants a scalar or a flat
// map) or under an unknown field (which the apiserver prunes). Nesting beyond the decoder's
// limits must be refused by the apiserver, never reach the operator. (3000 levels: deeper, Node's
// own JSON.stringify overflows its stack before a request is sent.)
import { describePath, fieldsOf, type Idea, setPath } from "../idea.ts";

function nest(depth: number, leaf: unknown, asList: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asList ? [value] : { n: value };
  return value;
}

export const deepNesting: Idea = {
  name: "deep-nesting",
  apply(rng, candidate) {
    const depth = rng.pick([16, 64, 200, 1000, 3000]);
    const asList = rng.chance(0.5);
    const value = nest(depth, rng.chance(0.5) ? "leaf" : 1, asList);
    if (rng.chance(0.3)) {
      candidate.spec[`unknown${rng.int(0, 9)}`] = value;
      return `spec.unknown = ${depth}-deep ${asList ? "lists" : "objects"}`;
    }
    const path = rng.pick(fieldsOf[candidate.kind]);
    setPath(candidate.spec, path, value);
    return `${describePath(path)} = ${depth}-deep ${asList ? "lists" : "objects"}`;
  },
};
