import { LlamadeskError } from "../errors.js";

/**
 * When a report starts: `7d` (the last 7 days, to the millisecond), `24h`, or a date (`2024-05-01`, midnight UTC)
 * or an ISO 8601 time. Throws INVALID_OPTION, saying what is accepted, for anything else or a time after `now`.
 */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d+)([dh])$/.exec(value.trim());
  let since: Date;
  if (relative) {
    const amount = Number(relative[1]);
    since = new Date(now.getTime() - amount * (relative[2] === "d" ? 86_400_000 : 3_600_000));
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
    since = new Date(`${value.trim()}T00:00:00.000Z`);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value.trim())) {
    since = new Date(value.trim());
  } else {
    since = new Date(Number.NaN);
  }
  if (Number.isNaN(since.getTime())) {
    throw new LlamadeskError("INVALID_OPTION", `--since must be a number of days or hours (7d, 30d, 24h) or a date (2024-05-01) or ISO time (got ${JSON.stringify(value)}).`);
  }
  if (since.getTime() > now.getTime()) throw new LlamadeskError("INVALID_OPTION", `--since ${value} is in the future; give a date on or before today.`);
  return since;
}
