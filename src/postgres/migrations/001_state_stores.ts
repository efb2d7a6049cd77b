import type { Migration } from "../migrate.js";

/**
 * Conversations (with turns, feedback and seen platform events), the review queue and handoff tickets.
 * Every table keys on `knowledge` (the knowledge base's name) first, so bots of several knowledge bases
 * share one database. Times are timestamptz; `seq` columns keep insertion order where times can tie.
 */
export const stateStores: Migration = {
  version: 1,
  name: "conversations, turns, feedback, seen events, review queue, handoff tickets",
  sql: `
CREATE TABLE llamadesk_conversations (
  knowledge text NOT NULL,
  id text NOT NULL,
  channel text,
  user_id text,
  status text NOT NULL CHECK (status IN ('open', 'handed-off', 'resolved')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (knowledge, id)
);

CREATE TABLE llamadesk_turns (
  knowledge text NOT NULL,
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY, -- append order: history sorts on it
  conversation_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  text text NOT NULL,
  outcome text CHECK (outcome IN ('answered', 'abstained', 'handoff')),
  sources jsonb, -- array of TurnSource
  mode text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (knowledge, id),
  FOREIGN KEY (knowledge, conversation_id) REFERENCES llamadesk_conversations ON DELETE CASCADE
);
CREATE INDEX llamadesk_turns_by_conversation ON llamadesk_turns (knowledge, conversation_id, seq);

CREATE TABLE llamadesk_feedback (
  knowledge text NOT NULL,
  turn_id text NOT NULL,
  user_id text NOT NULL,
  vote text NOT NULL CHECK (vote IN ('up', 'down')),
  comment text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (knowledge, turn_id, user_id),
  FOREIGN KEY (knowledge, turn_id) REFERENCES llamadesk_turns ON DELETE CASCADE
);

CREATE TABLE llamadesk_seen_events (
  knowledge text NOT NULL,
  key text NOT NULL,
  expires_at timestamptz NOT NULL, -- the record lasts while the clock is before it
  PRIMARY KEY (knowledge, key)
);
CREATE INDEX llamadesk_seen_events_by_expiry ON llamadesk_seen_events (knowledge, expires_at);

CREATE TABLE llamadesk_review_candidates (
  knowledge text NOT NULL,
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  thread_id text NOT NULL,
  thread_url text,
  platform text NOT NULL,
  thread jsonb NOT NULL, -- ChatThread
  question text NOT NULL,
  answer text NOT NULL,
  answer_message_ids jsonb NOT NULL,
  signals jsonb NOT NULL, -- array of ResolutionSignal
  extracted_by text NOT NULL CHECK (extracted_by IN ('rules', 'model')),
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'merged')),
  edited_question text,
  edited_answer text,
  merged_into jsonb, -- MergeTarget
  created_at timestamptz NOT NULL,
  reviewed_at timestamptz,
  PRIMARY KEY (knowledge, id),
  UNIQUE (knowledge, thread_id) -- a thread is mined once, also when two sync workers race
);
CREATE INDEX llamadesk_review_candidates_by_status ON llamadesk_review_candidates (knowledge, status, seq);

CREATE TABLE llamadesk_review_provenance (
  knowledge text NOT NULL,
  candidate_id text NOT NULL,
  thread_id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  platform text NOT NULL,
  url text,
  similarity double precision,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (knowledge, candidate_id, thread_id),
  FOREIGN KEY (knowledge, candidate_id) REFERENCES llamadesk_review_candidates ON DELETE CASCADE
);
CREATE INDEX llamadesk_review_provenance_by_thread ON llamadesk_review_provenance (knowledge, thread_id, seq);

CREATE TABLE llamadesk_handoff_tickets (
  knowledge text NOT NULL,
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  conversation_id text NOT NULL,
  name text NOT NULL,
  email text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL,
  webhook text NOT NULL CHECK (webhook IN ('none', 'pending', 'sent', 'failed')),
  webhook_error text,
  PRIMARY KEY (knowledge, id)
);
CREATE INDEX llamadesk_handoff_tickets_by_seq ON llamadesk_handoff_tickets (knowledge, seq);
CREATE INDEX llamadesk_handoff_tickets_by_conversation ON llamadesk_handoff_tickets (knowledge, conversation_id, seq);
`,
};
