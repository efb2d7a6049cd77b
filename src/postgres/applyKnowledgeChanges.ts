import type { PoolClient } from "pg";
import { DEFAULT_BM25, termFrequencies } from "../knowledge/bm25.js";
import type { EmbedderIdentity, KnowledgeChanges, StoredDoc } from "../knowledge/KnowledgeStore.js";
import { hnswIndexName } from "./hnswIndex.js";

/** Rows per INSERT: large enough to be fast, small enough to keep each statement's parameters modest. */
const BATCH = 2_000;

/**
 * One `KnowledgeStore.apply` inside the caller's transaction: the knowledge base's row is locked first,
 * so two appliers take turns; NOTIFY is delivered to listeners only when the transaction commits. A
 * rebuild with an embedder of another size drops the old size's index here; the caller creates the new
 * one after the commit (built inside, it would have to index the deleted rows, still visible to others).
 */
export async function applyKnowledgeChanges(
  client: PoolClient,
  knowledge: string,
  embedder: EmbedderIdentity,
  changes: KnowledgeChanges,
): Promise<void> {
  const { rows } = await client.query<{ dimensions: number }>("SELECT dimensions FROM llamadesk_knowledge WHERE knowledge = $1 FOR UPDATE", [knowledge]);
  if (changes.replaceAll) {
    const before = rows[0]?.dimensions;
    // A rebuild with an embedder of another size: the old size's index would refuse the new vectors.
    if (before !== undefined && before !== embedder.dimensions) await client.query(`DROP INDEX IF EXISTS ${hnswIndexName(knowledge, before)}`);
    await client.query("DELETE FROM llamadesk_docs WHERE knowledge = $1", [knowledge]);
    await client.query("DELETE FROM llamadesk_sync_state WHERE knowledge = $1", [knowledge]);
    await client.query("UPDATE llamadesk_knowledge SET embedder_id = $2, dimensions = $3 WHERE knowledge = $1", [knowledge, embedder.id, embedder.dimensions]);
  }
  const upserts = changes.upserts ?? [];
  const gone = [...(changes.deletes ?? []), ...upserts.map((u) => u.doc.id)];
  // Chunks and postings go with their doc (ON DELETE CASCADE).
  for (const ids of batches(gone)) await client.query("DELETE FROM llamadesk_docs WHERE knowledge = $1 AND id = ANY($2)", [knowledge, ids]);

  for (const batch of batches(upserts)) {
    const docs = batch.map(({ doc, origin, chunks }) => {
      const { text: _text, thread: _thread, ...meta } = doc;
      const stored: StoredDoc = { ...meta, chunkIds: chunks.map((c) => c.id), origin };
      return stored;
    });
    await client.query(
      `INSERT INTO llamadesk_docs (knowledge, id, origin, content_hash, doc)
       SELECT $1, x.id, x.origin, x.hash, x.doc FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[]) AS x(id, origin, hash, doc)`,
      [knowledge, docs.map((d) => d.id), docs.map((d) => d.origin), docs.map((d) => d.contentHash), docs.map((d) => JSON.stringify(d))],
    );
    const chunks = batch.flatMap(({ chunks, vectors }) => chunks.map((chunk, i) => ({ chunk, vector: vectors[i]!, ...termFrequencies(chunk.title, chunk.text, DEFAULT_BM25.titleWeight) })));
    for (const part of batches(chunks)) {
      await client.query(
        `INSERT INTO llamadesk_chunks (knowledge, id, doc_id, title, text, length, embedding)
         SELECT $1, x.id, x.doc_id, x.title, x.text, x.length, x.embedding::vector
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[]) AS x(id, doc_id, title, text, length, embedding)`,
        [
          knowledge,
          part.map((c) => c.chunk.id),
          part.map((c) => c.chunk.docId),
          part.map((c) => c.chunk.title),
          part.map((c) => c.chunk.text),
          part.map((c) => c.length),
          part.map((c) => `[${c.vector.join(",")}]`),
        ],
      );
      const postings = part.flatMap((c) => [...c.terms].map(([term, tf]) => ({ chunk: c.chunk.id, term, tf })));
      for (const rows of batches(postings, BATCH * 5)) {
        await client.query(
          `INSERT INTO llamadesk_terms (knowledge, term, chunk_id, tf)
           SELECT $1, x.term, x.chunk_id, x.tf FROM unnest($2::text[], $3::text[], $4::int[]) AS x(term, chunk_id, tf)`,
          [knowledge, rows.map((r) => r.term), rows.map((r) => r.chunk), rows.map((r) => r.tf)],
        );
      }
    }
  }

  for (const batch of batches(changes.metadata ?? [])) {
    // Everything but the chunk ids, which stay as they are: the content did not change.
    const metas = batch.map(({ doc, origin }) => {
      const { text: _text, thread: _thread, ...meta } = doc;
      return { ...meta, origin };
    });
    await client.query(
      `UPDATE llamadesk_docs d SET origin = x.origin, doc = x.doc || jsonb_build_object('chunkIds', d.doc -> 'chunkIds')
       FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS x(id, origin, doc) WHERE d.knowledge = $1 AND d.id = x.id`,
      [knowledge, metas.map((m) => m.id), metas.map((m) => m.origin), metas.map((m) => JSON.stringify(m))],
    );
  }

  for (const [source, state] of Object.entries(changes.syncState ?? {})) {
    if (state === null) await client.query("DELETE FROM llamadesk_sync_state WHERE knowledge = $1 AND source = $2", [knowledge, source]);
    else {
      await client.query(
        "INSERT INTO llamadesk_sync_state (knowledge, source, state) VALUES ($1, $2, $3) ON CONFLICT (knowledge, source) DO UPDATE SET state = EXCLUDED.state",
        [knowledge, source, JSON.stringify(state)],
      );
    }
  }

  await client.query(
    `UPDATE llamadesk_knowledge SET
       chunk_count = (SELECT count(*) FROM llamadesk_chunks WHERE knowledge = $1),
       total_length = (SELECT coalesce(sum(length), 0) FROM llamadesk_chunks WHERE knowledge = $1),
       version = version + 1, updated_at = now()
     WHERE knowledge = $1`,
    [knowledge],
  );
  await client.query("SELECT pg_notify('llamadesk_knowledge', $1)", [knowledge]);
}

function* batches<T>(items: readonly T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
