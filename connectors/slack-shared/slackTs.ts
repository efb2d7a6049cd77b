/** Slack message timestamps ("1700000000.000100"): seconds since 1970, a dot, microseconds. */
const SLACK_TS = /^\d{1,12}(?:\.\d{1,6})?$/;

export function isSlackTs(value: unknown): value is string {
  return typeof value === "string" && SLACK_TS.test(value);
}

/** A Slack timestamp (or its value in seconds) as ISO 8601, to the millisecond. */
export function slackTsToIso(ts: string | number): string {
  return new Date(Math.floor(Number(ts) * 1000)).toISOString();
}

/** Orders Slack timestamps numerically (they are not all the same length). */
export function compareSlackTs(a: string, b: string): number {
  return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Seconds as a Slack timestamp ("1700000000.000100"), for `oldest`. */
export function secondsToSlackTs(seconds: number): string {
  return Math.max(0, seconds).toFixed(6);
}

/**
 * Slack's permalink of a message: `https://acme.slack.com/archives/C0123/p1700000000000100`
 * (the timestamp without its dot, microseconds padded to six digits).
 */
export function slackPermalink(workspaceUrl: string, channelId: string, ts: string): string {
  const [seconds, micros = ""] = ts.split(".");
  return `${normalizeWorkspaceUrl(workspaceUrl)}/archives/${channelId}/p${seconds}${micros.padEnd(6, "0")}`;
}

/** "acme.slack.com", "https://acme.slack.com/" -> "https://acme.slack.com". */
export function normalizeWorkspaceUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  return /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}
