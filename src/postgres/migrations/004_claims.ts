import type { Migration } from "../migrate.js";

/**
 * Who is answering in which conversation (`PostgresConversationStore.claim`): replicas answer the questions of
 * one conversation one at a time. A claim's row lasts until its holder releases it or its time is up.
 */
export const claims: Migration = {
  version: 4,
  name: "claims: one answer at a time per conversation across replicas",
  sql: `
CREATE TABLE llamadesk_claims (
  knowledge text NOT NULL,
  key text NOT NULL,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (knowledge, key)
);
`,
};
