// Numbers at and beyond the edges: negative, zero, 2^31 and 2^63 and past them, floats where
// integers belong, exponents, numbers as strings. Int64 fields accept what fits in an int64; the
// operator must not turn any of them into a timer that fires at once or a loop.

import type { Kind } from "../idea.ts";
import { describePath, type Idea, setPath } from "../idea.ts";

const numericFields: Record<Kind, readonly (readonly string[])[]> = {
  VaultConnection: [["timeout"]],
  VaultAuth: [["kubernetes", "tokenExpirationSeconds"]],
  VaultStaticSecret: [["version"], ["refreshAfter"]],
  VaultPKISecret: [["ttl"], ["expiryOffset"], ["altNames"]],
  VaultDynamicSecret: [["renewalPercent"], ["refreshAfter"]],
  SecretTransformation: [["templates"]],
};

const values: readonly unknown[] = [
  -1,
  0,
  -2147483649,
  2147483647,
  2147483648,
  2 ** 53 + 2,
  2 ** 63,
  1e308,
  -1e308,
  0.5,
  "1e400",
  "-0",
  "NaN",
  "Infinity",
];

export const numbers: Idea = {
  name: "numbers",
  apply(rng, candidate) {
    const path = rng.pick(numericFields[candidate.kind]);
    const value = rng.pick(values);
    setPath(candidate.spec, path, value);
    return `${describePath(path)} = ${JSON.stringify(value)}`;
  },
};
