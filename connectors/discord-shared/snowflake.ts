/** Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds: snowflakes count from it. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/** Orders snowflake ids numerically (they do not sort as strings: "99" < "100"). */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The smallest snowflake made at `ms` (Unix milliseconds): `after` it means "from that moment on". */
export function snowflakeAt(ms: number): string {
  const since = BigInt(Math.floor(ms)) - DISCORD_EPOCH;
  return (since > 0n ? since << 22n : 0n).toString();
}

/** When a snowflake was made, in Unix milliseconds. */
export function timeOfSnowflake(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
