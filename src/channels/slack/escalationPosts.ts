import type { types } from "@slack/bolt";
import { ACTIONS } from "./answerBlocks.js";
import type { SlackRuntime } from "./SlackRuntime.js";

/** A handoff's post in the escalation channel, still waiting for someone to resolve it. */
export interface EscalationPost {
  channel: string;
  ts: string;
  blocks: types.KnownBlock[];
}

/** A message as conversations.history and conversations.replies give it: only what is read here. */
interface SlackMessageLike {
  ts?: string;
  blocks?: unknown[];
}

/** Pages of the escalation channel read, newest first, looking for a handoff's post. */
const MAX_PAGES = 5;
const PAGE_SIZE = 200;
/** How much earlier than the handoff turn's stored time a page may end before the search stops (clock skew). */
const SKEW_SECONDS = 300;

/**
 * The conversation whose escalation post this message is: the value of its "Mark resolved" button, while the
 * button is there. Slack keeps the post, so any replica (or a restarted one) can tell, with nothing in memory.
 */
export function conversationOfEscalation(message: SlackMessageLike | undefined): string | undefined {
  for (const block of message?.blocks ?? []) {
    const b = block as { type?: string; elements?: { action_id?: string; value?: string }[] };
    if (b.type !== "actions") continue;
    const button = b.elements?.find((e) => e.action_id === ACTIONS.resolve);
    if (button?.value) return button.value;
  }
  return undefined;
}

/**
 * The escalation post of a handed-off conversation that nobody has resolved yet, read back from the escalation
 * channel: the newest messages first, back to a little before the handoff was stored. `undefined` when there is
 * no escalation channel, no such post (already resolved, deleted), or the channel cannot be read.
 */
export async function findEscalationPost(rt: SlackRuntime, conversationId: string): Promise<EscalationPost | undefined> {
  const channel = rt.settings.handoff.channel;
  if (!channel) return undefined;
  const handoff = (await rt.bot.history(conversationId)).findLast((t) => t.outcome === "handoff");
  if (!handoff) return undefined;
  const since = Date.parse(handoff.createdAt) / 1000 - SKEW_SECONDS;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await rt.client.conversations.history({ channel, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    const messages = (result.messages ?? []) as SlackMessageLike[];
    const post = messages.find((m) => m.ts && conversationOfEscalation(m) === conversationId);
    if (post) return { channel, ts: post.ts!, blocks: (post.blocks ?? []) as types.KnownBlock[] };
    const oldest = Math.min(...messages.map((m) => Number(m.ts ?? Infinity)));
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor || oldest < since) return undefined;
  }
  return undefined;
}
