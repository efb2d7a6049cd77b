import { createHash } from "node:crypto";

/**
 * The partial HNSW index (cosine) of one knowledge base's vectors of one size. The embedding column has
 * no fixed size (knowledge bases may use different embedders); pgvector indexes vectors of one size in
 * such a column through an expression (the cast) and a predicate (the knowledge base).
 */
export function hnswIndexSql(name: string, dimensions: number): string {
  return (
    `CREATE INDEX IF NOT EXISTS ${hnswIndexName(name, dimensions)} ON llamadesk_chunks ` +
    `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE knowledge = ${quoteLiteral(name)}`
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
