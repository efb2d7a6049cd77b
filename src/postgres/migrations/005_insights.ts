import type { Migration } from "../migrate.js";

/**
 * What insights count (`ConversationStore.activity`): each reply's channel, handoff reason and timings, and
 * whether a conversation was ever answered or handed off (kept as it happens, so counting conversations reads
 * no turns). Older rows are filled in: a handoff without sources is a request for a human (repeated abstentions
 * keep the closest entries). The partial index covers the replies of a span, by time.
 */
export const insights: Migration = {
  version: 5,
  name: "insights: reply channel, handoff reason and timings; answered and handed-off conversations",
  sql: `
ALTER TABLE llamadesk_conversations
  ADD COLUMN answered boolean NOT NULL DEFAULT false,
  ADD COLUMN handed_off boolean NOT NULL DEFAULT false;
ALTER TABLE llamadesk_turns
  ADD COLUMN channel text,
  ADD COLUMN handoff_reason text CHECK (handoff_reason IN ('user-request', 'repeated-abstentions')),
  ADD COLUMN ttft_ms double precision,
  ADD COLUMN total_ms double precision;
UPDATE llamadesk_turns t SET channel = c.channel FROM llamadesk_conversations c WHERE c.knowledge = t.knowledge AND c.id = t.conversation_id AND c.channel IS NOT NULL;
UPDATE llamadesk_turns SET handoff_reason = CASE WHEN sources IS NULL THEN 'user-request' ELSE 'repeated-abstentions' END WHERE outcome = 'handoff';
UPDATE llamadesk_conversations c SET
  answered = EXISTS (SELECT 1 FROM llamadesk_turns t WHERE t.knowledge = c.knowledge AND t.conversation_id = c.id AND t.outcome = 'answered'),
  handed_off = EXISTS (SELECT 1 FROM llamadesk_turns t WHERE t.knowledge = c.knowledge AND t.conversation_id = c.id AND t.outcome = 'handoff');
CREATE INDEX llamadesk_turns_replies_by_time ON llamadesk_turns (knowledge, created_at) INCLUDE (channel, outcome, mode, handoff_reason, ttft_ms, total_ms) WHERE role = 'assistant';
CREATE INDEX llamadesk_conversations_by_time ON llamadesk_conversations (knowledge, created_at);
`,
};
