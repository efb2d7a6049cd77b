import type { Migration } from "../migrate.js";

/**
 * The knowledge tables. Every row carries its knowledge base's name, so one database serves several
 * bots. Embeddings are stored as `vector` without a fixed size (knowledge bases may use different
 * embedders); each knowledge base gets its own partial HNSW index on `embedding::vector(d)`
 * (see `hnswIndexSql`), which is how pgvector indexes vectors of one size in a mixed column.
 */
export const knowledge: Migration = {
  version: 2,
  name: "knowledge bases: docs, chunks with pgvector embeddings, BM25 postings, sync state, writers",
  // pgvector is not a trusted extension: a database owner who is not a superuser needs it created beforehand
  // (`CREATE EXTENSION vector;` as a superuser), which IF NOT EXISTS then accepts.
  sql: `
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE IF NOT EXISTS llamadesk_knowledge (
  knowledge     text PRIMARY KEY,
  embedder_id   text NOT NULL,
  dimensions    integer NOT NULL,
  version       bigint NOT NULL DEFAULT 0,
  chunk_count   integer NOT NULL DEFAULT 0,
  total_length  bigint NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS llamadesk_docs (
  knowledge     text NOT NULL REFERENCES llamadesk_knowledge(knowledge) ON DELETE CASCADE,
  id            text NOT NULL,
  origin        text NOT NULL,
  content_hash  text NOT NULL,
  doc           jsonb NOT NULL,
  PRIMARY KEY (knowledge, id)
);
CREATE INDEX IF NOT EXISTS llamadesk_docs_origin ON llamadesk_docs (knowledge, origin);

CREATE TABLE IF NOT EXISTS llamadesk_chunks (
  knowledge     text NOT NULL,
  id            text NOT NULL,
  doc_id        text NOT NULL,
  title         text NOT NULL,
  text          text NOT NULL,
  length        integer NOT NULL,
  embedding     vector NOT NULL,
  PRIMARY KEY (knowledge, id),
  FOREIGN KEY (knowledge, doc_id) REFERENCES llamadesk_docs(knowledge, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS llamadesk_chunks_doc ON llamadesk_chunks (knowledge, doc_id);

-- BM25's postings: a chunk's terms with their frequencies (title terms weighted), as the local index keeps them.
CREATE TABLE IF NOT EXISTS llamadesk_terms (
  knowledge     text NOT NULL,
  term          text NOT NULL,
  chunk_id      text NOT NULL,
  tf            integer NOT NULL,
  PRIMARY KEY (knowledge, term, chunk_id),
  FOREIGN KEY (knowledge, chunk_id) REFERENCES llamadesk_chunks(knowledge, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS llamadesk_terms_chunk ON llamadesk_terms (knowledge, chunk_id);

CREATE TABLE IF NOT EXISTS llamadesk_sync_state (
  knowledge     text NOT NULL REFERENCES llamadesk_knowledge(knowledge) ON DELETE CASCADE,
  source        text NOT NULL,
  state         jsonb NOT NULL,
  PRIMARY KEY (knowledge, source)
);

-- Who holds a knowledge base's writer lock (the lock itself is an advisory lock), for whoever waits.
CREATE TABLE IF NOT EXISTS llamadesk_writers (
  knowledge     text PRIMARY KEY,
  pid           integer NOT NULL,
  host          text NOT NULL,
  command       text NOT NULL,
  since         timestamptz NOT NULL,
  token         text NOT NULL
);
`,
};
