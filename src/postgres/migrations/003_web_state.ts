import type { Migration } from "../migrate.js";

/**
 * What the web channel's replicas share: rate-limit buckets and issued conversation ids. Both are bounded by
 * time: a bucket's row goes once it would be full again (a full bucket is the same as none), an issued id's
 * once unused for its time to live; `PostgresRateLimiter` and `PostgresIssuedConversationIds` prune them.
 */
export const webState: Migration = {
  version: 3,
  name: "web rate limits and issued conversation ids",
  sql: `
CREATE TABLE llamadesk_rate_limits (
  knowledge text NOT NULL,
  limiter text NOT NULL,    -- the budget: perIp, perConversation
  key text NOT NULL,        -- ip:<address>, or a conversation id
  tokens double precision NOT NULL,
  allowed boolean NOT NULL, -- whether the last take got a token (what it returns)
  at timestamptz NOT NULL,  -- when tokens was last worked out
  expires_at timestamptz NOT NULL, -- at plus the window: the bucket is full again by then
  PRIMARY KEY (knowledge, limiter, key)
);
CREATE INDEX llamadesk_rate_limits_by_expiry ON llamadesk_rate_limits (knowledge, expires_at);

CREATE TABLE llamadesk_web_conversations (
  knowledge text NOT NULL,
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY, -- issue order, for forgetting the oldest first
  issued_at timestamptz NOT NULL,
  PRIMARY KEY (knowledge, id)
);
CREATE INDEX llamadesk_web_conversations_by_seq ON llamadesk_web_conversations (knowledge, seq);
CREATE INDEX llamadesk_web_conversations_by_issue ON llamadesk_web_conversations (knowledge, issued_at);
`,
};
