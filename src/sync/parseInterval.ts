import { LlamadeskError } from "../errors.js";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "15m", "1h", "1d" -> milliseconds; at least 10 seconds. */
export function parseInterval(value: string, flag = "--every"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/i.exec(value);
  const ms = match ? Number(match[1]) * UNITS[match[2]!.toLowerCase()]! : NaN;
  if (!(ms >= 10_000)) {
    throw new LlamadeskError("INVALID_OPTION", `${flag} takes a duration of at least 10s, like 30s, 15m, 1h or 1d (got "${value}").`);
  }
  return ms;
}
