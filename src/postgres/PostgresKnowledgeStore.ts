import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { PoolClient } from "pg";
import { LlamadeskError } from "../errors.js";
import { DEFAULT_BM25, idf, saturate } from "../knowledge/bm25.js";
import type {
  AcquireWriterOptions,
  ChunkHit,
  ChunkScores,
  EmbedderIdentity,
  KnowledgeChange,
  KnowledgeChanges,
  KnowledgeCounts,
  KnowledgeStore,
  PassageText,
  StoredDoc,
  WriterHolder,
  WriterLock,
} from "../knowledge/KnowledgeStore.js";
import { checkChanges } from "../knowledge/checkChanges.js";
import { isQuantity, tokenize } from "../knowledge/tokenize.js";
import { describeHolder } from "../knowledge/writerLock.js";
import { applyKnowledgeChanges } from "./applyKnowledgeChanges.js";
import { hnswIndexSql, quoteLiteral } from "./hnswIndex.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface PostgresKnowledgeStoreOptions {
  /** The database, from `openPostgres`; the store leaves it open when disposed, unless `ownsDatabase`. */
  postgres: Postgres;
  /** The knowledge base's name: one database holds several. Defaults to "default". */
  knowledge?: string;
  /** Refuses a knowledge base built by another embedder; a new one records it. */
  embedder?: EmbedderIdentity;
  /** Create the knowledge base when it does not exist. Defaults to false (`INDEX_NOT_FOUND`). */
  create?: boolean;
  /** A rebuild: the embedder may differ; the first `apply` must have `replaceAll`. Defaults to false. */
  rebuild?: boolean;
  /** "hnsw" (pgvector's index, approximate) or "exact" (a scan, for comparison). Defaults to "hnsw". */
  vectorSearch?: "hnsw" | "exact";
  /** HNSW candidates looked at per search (`hnsw.ef_search`), at least the number of results asked for. Defaults to 100. */
  efSearch?: number;
  /** How often `onChange` also polls the knowledge base's version, in ms (LISTEN/NOTIFY is the fast path). Defaults to 5,000. */
  pollMs?: number;
  /** Close the database on `dispose` (the store opened it). Defaults to false. */
  ownsDatabase?: boolean;
}

const CHANNEL = "llamadesk_knowledge";

/**
 * Knowledge in PostgreSQL: docs, chunks with their embeddings (pgvector, an HNSW index per knowledge
 * base), BM25 postings computed exactly as the local index computes them, and per-source sync state;
 * each `apply` is one transaction, so every replica sees a sync whole or not at all. Writers take an
 * advisory lock; readers hear of changes through LISTEN/NOTIFY, and a version poll as a fallback.
 */
export class PostgresKnowledgeStore implements KnowledgeStore {
  readonly location: string;
  readonly knowledge: string;
  private listeners = new Set<(event: KnowledgeChange) => void>();
  private listener: PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private version = -1n;

  private constructor(
    private readonly options: PostgresKnowledgeStoreOptions,
    private current: EmbedderIdentity,
  ) {
    this.knowledge = knowledgeNameOf("PostgresKnowledgeStore", options.knowledge);
    this.location = `postgres ${options.postgres.where} (knowledge "${this.knowledge}")`;
  }

  static async open(options: PostgresKnowledgeStoreOptions): Promise<PostgresKnowledgeStore> {
    const name = knowledgeNameOf("PostgresKnowledgeStore", options.knowledge);
    const { postgres: pool, embedder } = options;
    const found = await pool.query<{ embedder_id: string; dimensions: number }>("SELECT embedder_id, dimensions FROM llamadesk_knowledge WHERE knowledge = $1", [name]);
    let row = found.rows[0];
    if (!row) {
      if (!options.create && !options.rebuild) {
        throw new LlamadeskError(
          "INDEX_NOT_FOUND",
          `No knowledge base "${name}" in the database at ${pool.where}. Build it with \`llamadesk ingest <your FAQ files> --database <url> --knowledge ${name}\`.`,
        );
      }
      if (!embedder) throw new Error("PostgresKnowledgeStore: an embedder is needed to create a knowledge base");
      await pool.query("INSERT INTO llamadesk_knowledge (knowledge, embedder_id, dimensions) VALUES ($1, $2, $3) ON CONFLICT (knowledge) DO NOTHING", [name, embedder.id, embedder.dimensions]);
      row = (await pool.query<{ embedder_id: string; dimensions: number }>("SELECT embedder_id, dimensions FROM llamadesk_knowledge WHERE knowledge = $1", [name])).rows[0]!;
      await pool.query(hnswIndexSql(name, row.dimensions));
    }
    const stored = { id: row.embedder_id, dimensions: row.dimensions };
    if (embedder && !options.rebuild && (embedder.id !== stored.id || embedder.dimensions !== stored.dimensions)) {
      throw new LlamadeskError(
        "EMBEDDER_MISMATCH",
        `The knowledge base "${name}" was built with embedder "${stored.id}" (${stored.dimensions}-d), but "${embedder.id}" (${embedder.dimensions}-d) is configured. ` +
          "Use the same embedder, or rebuild it with this one: `llamadesk ingest --rebuild <sources>`.",
      );
    }
    return new PostgresKnowledgeStore(options, options.rebuild && embedder ? { id: embedder.id, dimensions: embedder.dimensions } : stored);
  }

  get embedder(): EmbedderIdentity {
    return this.current;
  }

  private get pool(): Postgres {
    return this.options.postgres;
  }

  async counts(): Promise<KnowledgeCounts> {
    const { rows } = await this.pool.query<{ docs: string; chunks: number }>(
      "SELECT (SELECT count(*) FROM llamadesk_docs WHERE knowledge = $1) AS docs, chunk_count AS chunks FROM llamadesk_knowledge WHERE knowledge = $1",
      [this.knowledge],
    );
    return { docs: Number(rows[0]?.docs ?? 0), chunks: rows[0]?.chunks ?? 0 };
  }

  async getDocs(ids: readonly string[]): Promise<(StoredDoc | undefined)[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; doc: StoredDoc }>("SELECT id, doc FROM llamadesk_docs WHERE knowledge = $1 AND id = ANY($2)", [this.knowledge, ids]);
    const byId = new Map(rows.map((r) => [r.id, r.doc]));
    return ids.map((id) => byId.get(id));
  }

  async listDocs(filter: { origins?: readonly string[] } = {}): Promise<StoredDoc[]> {
    const { rows } = filter.origins
      ? await this.pool.query<{ doc: StoredDoc }>("SELECT doc FROM llamadesk_docs WHERE knowledge = $1 AND origin = ANY($2)", [this.knowledge, filter.origins])
      : await this.pool.query<{ doc: StoredDoc }>("SELECT doc FROM llamadesk_docs WHERE knowledge = $1", [this.knowledge]);
    return rows.map((r) => r.doc);
  }

  async getPassages(chunkIds: readonly string[]): Promise<(PassageText | undefined)[]> {
    if (chunkIds.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string; title: string; text: string; doc: StoredDoc }>(
      `SELECT c.id, c.title, c.text, d.doc FROM llamadesk_chunks c JOIN llamadesk_docs d ON d.knowledge = c.knowledge AND d.id = c.doc_id
       WHERE c.knowledge = $1 AND c.id = ANY($2)`,
      [this.knowledge, chunkIds],
    );
    const byId = new Map(
      rows.map(({ id, title, text, doc }): [string, PassageText] => [
        id,
        { chunkId: id, docId: doc.id, kind: doc.kind, title, text, ...(doc.url ? { url: doc.url } : {}), ...(doc.location ? { location: doc.location } : {}) },
      ]),
    );
    return chunkIds.map((id) => byId.get(id));
  }

  async searchVectors(vector: readonly number[], k: number): Promise<ChunkHit[]> {
    checkDimensions(vector, this.current.dimensions);
    const ef = Math.max(this.options.efSearch ?? 100, k);
    const { settings, sql } = vectorSearchQuery(this.knowledge, this.current.dimensions, this.options.vectorSearch ?? "hnsw", ef);
    return this.pool.transaction(async (client) => {
      await client.query(settings);
      const { rows } = await client.query<{ id: string; score: number }>(sql, [toVector(vector), k]);
      return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
    });
  }

  async searchLexical(query: string, k: number): Promise<ChunkHit[]> {
    const terms = [...new Set(tokenize(query))];
    if (terms.length === 0) return [];
    const { k1, b } = DEFAULT_BM25;
    const { rows } = await this.pool.query<{ id: string; score: number }>(
      `WITH kb AS (SELECT chunk_count::float8 AS n, total_length::float8 / GREATEST(chunk_count, 1) AS avg FROM llamadesk_knowledge WHERE knowledge = $1),
            df AS (SELECT term, count(*)::float8 AS df FROM llamadesk_terms WHERE knowledge = $1 AND term = ANY($2) GROUP BY term)
       SELECT t.chunk_id AS id,
              sum(ln(1 + (kb.n - df.df + 0.5) / (df.df + 0.5)) * (t.tf * ($3::float8 + 1)) / (t.tf + $3::float8 * (1 - $4::float8 + $4::float8 * c.length / kb.avg))) AS score
       FROM llamadesk_terms t
       JOIN df ON df.term = t.term
       JOIN llamadesk_chunks c ON c.knowledge = t.knowledge AND c.id = t.chunk_id
       CROSS JOIN kb
       WHERE t.knowledge = $1 AND t.term = ANY($2)
       GROUP BY t.chunk_id
       ORDER BY score DESC, t.chunk_id COLLATE "C"
       LIMIT $5`,
      [this.knowledge, terms, k1, b, k],
    );
    return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
  }

  async scoreChunks(query: string, vector: readonly number[], chunkIds: readonly string[]): Promise<ChunkScores> {
    checkDimensions(vector, this.current.dimensions);
    const d = this.current.dimensions;
    const terms = [...new Set(tokenize(query))];
    const [similarities, postings, frequencies, stats] = await Promise.all([
      this.pool.query<{ id: string; similarity: number; length: number }>(
        `SELECT id, 1 - (embedding::vector(${d}) <=> $3::vector(${d})) AS similarity, length FROM llamadesk_chunks WHERE knowledge = $1 AND id = ANY($2)`,
        [this.knowledge, chunkIds, toVector(vector)],
      ),
      this.pool.query<{ chunk_id: string; term: string; tf: number }>(
        "SELECT chunk_id, term, tf FROM llamadesk_terms WHERE knowledge = $1 AND term = ANY($2) AND chunk_id = ANY($3)",
        [this.knowledge, terms, chunkIds],
      ),
      this.pool.query<{ term: string; df: string }>("SELECT term, count(*) AS df FROM llamadesk_terms WHERE knowledge = $1 AND term = ANY($2) GROUP BY term", [this.knowledge, terms]),
      this.pool.query<{ n: number; total: string }>("SELECT chunk_count AS n, total_length AS total FROM llamadesk_knowledge WHERE knowledge = $1", [this.knowledge]),
    ]);
    // The same arithmetic as the local BM25 index (Bm25Index.scoreAll and coverageAll).
    const n = stats.rows[0]?.n ?? 0;
    const avg = n > 0 ? Number(stats.rows[0]!.total) / n : 1;
    const df = new Map(frequencies.rows.map((r) => [r.term, Number(r.df)]));
    const chunks = new Map(similarities.rows.map((r) => [r.id, r]));
    const tfs = new Map<string, Map<string, number>>();
    for (const p of postings.rows) (tfs.get(p.chunk_id) ?? tfs.set(p.chunk_id, new Map()).get(p.chunk_id)!).set(p.term, p.tf);
    const weights = terms.map((term) => ({ term, idf: idf(n, df.get(term) ?? 0), known: (df.get(term) ?? 0) > 0, quantity: isQuantity(term) }));
    const p = DEFAULT_BM25;
    return {
      vector: chunkIds.map((id) => (chunks.has(id) ? Number(chunks.get(id)!.similarity) : Number.NaN)),
      lexical: chunkIds.map((id) => {
        const chunk = chunks.get(id);
        const has = tfs.get(id);
        if (!chunk || !has) return 0;
        return weights.reduce((score, w) => (w.known && has.has(w.term) ? score + w.idf * saturate(has.get(w.term)!, chunk.length, avg, p) : score), 0);
      }),
      coverage: chunkIds.map((id) => {
        const has = tfs.get(id);
        if (!chunks.has(id)) return 0;
        // Numbers count only for a chunk that has them (isQuantity), as in Bm25Index.coverageAll.
        let found = 0;
        let total = 0;
        for (const w of weights) {
          const hit = has?.has(w.term) ?? false;
          if (hit) found += w.idf;
          if (hit || !w.quantity) total += w.idf;
        }
        return total === 0 ? 0 : found / total;
      }),
    };
  }

  async syncState(): Promise<Record<string, unknown>> {
    const { rows } = await this.pool.query<{ source: string; state: unknown }>("SELECT source, state FROM llamadesk_sync_state WHERE knowledge = $1", [this.knowledge]);
    return Object.fromEntries(rows.map((r) => [r.source, r.state]));
  }

  async apply(changes: KnowledgeChanges): Promise<void> {
    checkChanges(changes, this.current);
    await this.pool.transaction((client) => applyKnowledgeChanges(client, this.knowledge, this.current, changes));
    if (changes.replaceAll) await this.pool.query(hnswIndexSql(this.knowledge, this.current.dimensions));
  }

  async acquireWriter(options: AcquireWriterOptions): Promise<WriterLock> {
    const client = await this.pool.pool.connect();
    const key = `llamadesk:knowledge:${this.knowledge}`;
    const token = randomBytes(8).toString("hex");
    try {
      let told = false;
      for (;;) {
        const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked", [key]);
        if (rows[0]?.locked) break;
        const holder = await this.holder();
        if (options.wait === false) {
          throw new LlamadeskError(
            "INDEX_LOCKED",
            `${holder ? describeHolder(holder) : "Another llamadesk process"} is writing ${this.location}. ` +
              "Wait for it to finish (leave out --no-wait to wait), or stop it.",
          );
        }
        if (!told && holder) options.onWait?.(holder);
        told = true;
        await sleep(500, options.signal);
      }
      await client.query(
        `INSERT INTO llamadesk_writers (knowledge, pid, host, command, since, token) VALUES ($1, $2, $3, $4, now(), $5)
         ON CONFLICT (knowledge) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, command = EXCLUDED.command, since = EXCLUDED.since, token = EXCLUDED.token`,
        [this.knowledge, process.pid, hostname(), options.command, token],
      );
    } catch (error) {
      client.release();
      throw error;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query("DELETE FROM llamadesk_writers WHERE knowledge = $1 AND token = $2", [this.knowledge, token]);
          await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]);
        } finally {
          client.release();
        }
      },
    };
  }

  onChange(listener: (event: KnowledgeChange) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) void this.startListening();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.stopListening();
    };
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    await this.stopListening();
    if (this.options.ownsDatabase) await this.pool.close();
  }

  private async holder(): Promise<WriterHolder | undefined> {
    const { rows } = await this.pool.query<{ pid: number; host: string; command: string; since: Date; token: string }>(
      "SELECT pid, host, command, since, token FROM llamadesk_writers WHERE knowledge = $1",
      [this.knowledge],
    );
    const row = rows[0];
    return row && { pid: row.pid, hostname: row.host, command: row.command, startedAt: row.since.toISOString(), token: row.token };
  }

  private async startListening(): Promise<void> {
    this.version = await this.readVersion();
    const check = async () => {
      const version = await this.readVersion();
      if (version === this.version) return;
      this.version = version;
      const counts = await this.counts();
      for (const listener of this.listeners) listener({ counts });
    };
    const report = (error: unknown) => {
      for (const listener of this.listeners) listener({ error: error instanceof Error ? error : new Error(String(error)) });
    };
    try {
      const client = await this.pool.pool.connect();
      this.listener = client;
      client.on("notification", (message) => {
        if (message.channel === CHANNEL && message.payload === this.knowledge) void check().catch(report);
      });
      client.on("error", () => undefined);
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      // Without LISTEN the poll below still sees changes, only later.
      report(error);
    }
    this.timer = setInterval(() => void check().catch(report), this.options.pollMs ?? 5_000);
    this.timer.unref();
  }

  private async stopListening(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      await client.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
      client.release();
    }
  }

  private async readVersion(): Promise<bigint> {
    const { rows } = await this.pool.query<{ version: string }>("SELECT version FROM llamadesk_knowledge WHERE knowledge = $1", [this.knowledge]);
    return BigInt(rows[0]?.version ?? -1);
  }

}


/**
 * `searchVectors`' statement ($1 the query vector, $2 k) and the settings it runs under, in one transaction.
 * "hnsw" turns sorting off, which leaves the planner the HNSW index alone: it does not count reading vectors kept
 * out of line (TOAST; a 512-d vector does not fit the row's 2 kB), so for a knowledge base of up to some ten
 * thousand chunks, once analyzed, a scan and sort looks cheaper and is 3-30x slower. Exported for its plan's test.
 */
export function vectorSearchQuery(knowledge: string, dimensions: number, mode: "hnsw" | "exact", efSearch: number): { settings: string; sql: string } {
  const d = dimensions;
  return {
    settings: mode === "exact" ? "SET LOCAL enable_indexscan = off" : `SET LOCAL hnsw.ef_search = ${efSearch}; SET LOCAL enable_sort = off`,
    sql:
      `SELECT id, 1 - (embedding::vector(${d}) <=> $1::vector(${d})) AS score FROM llamadesk_chunks ` +
      // The knowledge base as a literal: the planner matches it to the partial HNSW index's predicate.
      `WHERE knowledge = ${quoteLiteral(knowledge)} ORDER BY embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $2`,
  };
}

function toVector(vector: readonly number[]): string {
  return `[${vector.join(",")}]`;
}

function checkDimensions(vector: readonly number[], dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new LlamadeskError(
      "EMBEDDER_MISMATCH",
      `Got a ${vector.length}-dimensional vector for a knowledge base of ${dimensions} dimensions. ` +
        "Search and ingest with the embedder that built it, or rebuild it with --rebuild.",
    );
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
