// Durations a user might mistype or an attacker might choose: negative, zero, unitless, ISO 8601,
// units Go has and VSO's pattern does not, whitespace, and values that match the pattern but
// overflow (400 digits of hours): each must be refused or scheduled sanely — never a timer that
// fires at once and spins.

import type { Kind } from "../idea.ts";
import { describePath, type Idea, setPath } from "../idea.ts";

const durationFields: Record<Kind, readonly (readonly string[])[]> = {
  VaultConnection: [["timeout"]],
  VaultAuth: [["kubernetes", "tokenExpirationSeconds"]],
  VaultStaticSecret: [["refreshAfter"]],
  VaultPKISecret: [["ttl"], ["expiryOffset"]],
  VaultDynamicSecret: [["refreshAfter"]],
  SecretTransformation: [["templates"]],
};

const samples: readonly string[] = [
  "-5s",
  "0s",
  "0",
  "5",
  "PT5M",
  "5 m",
  " 5m",
  "1h30m",
  "300ms",
  "1y",
  "1.5.5h",
  ".5h",
  "0.0000000000001s",
  "999999999h",
  `${"9".repeat(400)}h`,
  `${"1".repeat(30)}s`,
  "0.00000000000000000000000000000000000000001h",
  "∞s",
];

export const durations: Idea = {
  name: "durations",
  apply(rng, candidate) {
    const path = rng.pick(durationFields[candidate.kind]);
    const value = rng.pick(samples);
    setPath(candidate.spec, path, value);
    return `${describePath(path)} = ${JSON.stringify(value.length > 40 ? `${value.slice(0, 20)}…(${value.length})` : value)}`;
  },
};
