import { z } from "zod";
import type { ChatThread } from "../../src/chat/ChatThread.js";

/** What a slack-api pull keeps for the next one, per channel id. */
export interface SlackApiState {
  version: 1;
  channels: Record<string, SlackChannelState>;
}

export interface SlackChannelState {
  /** The newest message ts seen: the next pull fetches from it, minus the lookback window. */
  cursor?: string;
  /** Every thread known, by thread ts, as last built. */
  threads: Record<string, ChatThread>;
}

const threadSchema = z.object({ id: z.string(), platform: z.string(), messages: z.array(z.object({ id: z.string(), author: z.string(), role: z.string(), text: z.string() }).passthrough()) }).passthrough();
const stateSchema = z.object({
  version: z.literal(1),
  channels: z.record(z.object({ cursor: z.string().optional(), threads: z.record(threadSchema) })),
});

/** The saved state, a fresh one when there is none, or why it cannot be used. */
export function readSlackApiState(saved: unknown): SlackApiState | string {
  if (saved === undefined || saved === null) return { version: 1, channels: {} };
  const parsed = stateSchema.safeParse(saved);
  if (parsed.success) return parsed.data as unknown as SlackApiState;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join(".") || "state"}: ${issue.message}`;
}
