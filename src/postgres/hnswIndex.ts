import { createHash } from "node:crypto";

/**
 * How the graph is built: pgvector's default `m` with a wider `ef_construction` than its 64. Measured at 100k
 * StackFAQ-based 512-d vectors (`BENCH_ONLY=postgres`): recall@10 0.987 at efSearch 100 with 200, against 0.968
 * with 64, for the same search cost; building and inserts take longer, which embedding time dwarfs.
 */
export const HNSW_BUILD = { m: 16, efConstruction: 200 } as const;

/**
 * The partial HNSW index (cosine) of one knowledge base's vectors of one size. The embedding column has
 * no fixed size (knowledge bases may use different embedders); pgvector indexes vectors of one size in
 * such a column through an expression (the cast) and a predicate (the knowledge base).
 */
export function hnswIndexSql(name: string, dimensions: number): string {
  return (
    `CREATE INDEX IF NOT EXISTS ${hnswIndexName(name, dimensions)} ON llamadesk_chunks ` +
    `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WITH (m = ${HNSW_BUILD.m}, ef_construction = ${HNSW_BUILD.efConstruction}) ` +
    `WHERE knowledge = ${quoteLiteral(name)}`
  );
}

/** An index name per knowledge base and size, within PostgreSQL's 63 characters whatever the name. */
export function hnswIndexName(name: string, dimensions: number): string {
  return `llamadesk_chunks_hnsw_${dimensions}_${createHash("sha256").update(name).digest("hex").slice(0, 24)}`;
}

/** A string as an SQL literal (standard_conforming_strings on, as in every supported PostgreSQL). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
