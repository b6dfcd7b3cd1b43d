// VSO's cadence, reproduced so that a migrated cluster keeps the load profile its Vault is sized
// for. All results are milliseconds.

type Random = () => number;

/** Refresh and error requeues: 80–90 % of d (d − 0.1d − rand[0, 0.1d)). */
export function horizonWithJitter(d: number, random: Random = Math.random): number {
  return Math.max(0, d - 0.1 * d - random() * 0.1 * d);
}

/** VSO's requeue after an error it does not back off on (≈ 4–4.5 s). */
export const requeueOnErrorMs = 5_000;

/** A VaultStaticSecret with HMAC on and no refreshAfter is re-read about once a minute. */
export const defaultStaticRefreshMs = 60_000;

/** Parses VSO's duration strings: `^([0-9]+(\.[0-9]+)?(s|m|h|d))$` (d only where the schema allows it). */
export function parseDuration(value: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(s|m|h|d)$/.exec(value);
  if (match === null) throw new Error(`invalid duration ${JSON.stringify(value)}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
