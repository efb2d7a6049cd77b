import type { IncomingMessage, ServerResponse } from "node:http";
import { HTTPReceiver, type Logger } from "@slack/bolt";

/** Slack's window for a signed request's timestamp, either side of this machine's clock (Bolt refuses older ones). */
const TIMESTAMP_WINDOW_S = 5 * 60;

export interface SlackReceiverOptions {
  signingSecret: string;
  /** The events endpoint's path. */
  path: string;
  port: number;
  logger: Logger;
  /** Clock the timestamps are checked against. Defaults to the system clock. */
  now?: () => number;
}

/**
 * Bolt's HTTP receiver (signature checks, 401 for a bad or stale one), also refusing requests timestamped more
 * than five minutes ahead: Bolt checks only the past, so a signed request captured with a clock skewed forward
 * could be replayed until that time came.
 */
export function createSlackReceiver(options: SlackReceiverOptions): HTTPReceiver {
  const { path, logger } = options;
  const now = options.now ?? Date.now;
  const receiver = new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: path, port: options.port, logger });
  const handle = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const ahead = req.method === "POST" && new URL(req.url ?? "/", "http://localhost").pathname === path ? secondsAhead(req, now()) : 0;
    if (ahead <= TIMESTAMP_WINDOW_S) return handle(req, res);
    // As Bolt answers a stale request: a warning line, 401, no body.
    logger.warn(`Refused a Slack request timestamped ${ahead} s ahead of this machine's clock (more than ${TIMESTAMP_WINDOW_S} s): a replay, or this clock is behind.`);
    res.writeHead(401);
    res.end();
  };
  return receiver;
}

/** How far the signed `X-Slack-Request-Timestamp` is ahead of `nowMs`, in whole seconds as Bolt counts; 0 when it is missing or malformed (Bolt refuses those). */
function secondsAhead(req: IncomingMessage, nowMs: number): number {
  const timestamp = Number(req.headers["x-slack-request-timestamp"]);
  return Number.isFinite(timestamp) ? Math.max(0, timestamp - Math.floor(nowMs / 1000)) : 0;
}
