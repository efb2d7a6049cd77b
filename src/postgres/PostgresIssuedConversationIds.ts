import type { IssuedConversationIds } from "../channels/web/IssuedConversationIds.js";
import { knowledgeNameOf } from "./knowledgeName.js";
import type { Postgres } from "./Postgres.js";

export interface PostgresIssuedConversationIdsOptions {
  /** The database, from `openPostgres`; left open. */
  postgres: Postgres;
  /** The knowledge base whose web server this is. Defaults to "default". */
  knowledge?: string;
  /** Issued ids not used within this long are forgotten. Defaults to one day. */
  unusedTtlMs?: number;
  /**
   * Issued ids remembered at most, by every replica together; past it the oldest are forgotten first (at the
   * next prune). Defaults to 200,000 (some 40 MB with the indexes).
   */
  maxIssued?: number;
  /** Clock in milliseconds. Defaults to the database server's clock: one clock for every replica. */
  now?: () => number;
  /** How often expired and surplus ids are deleted, at most, in ms. Defaults to 60,000. */
  pruneEveryMs?: number;
}

/**
 * Issued web conversation ids in PostgreSQL (table `llamadesk_web_conversations`): an id one replica issued is
 * known to all. An id counts while younger than `unusedTtlMs`; rows older than that, or beyond `maxIssued`, are
 * deleted when `add` finds a prune due.
 */
export class PostgresIssuedConversationIds implements IssuedConversationIds {
  private readonly knowledge: string;
  private readonly ttlSeconds: number;
  private readonly maxIssued: number;
  private readonly pruneEveryMs: number;
  private lastPrune = -Infinity;

  constructor(private readonly options: PostgresIssuedConversationIdsOptions) {
    this.knowledge = knowledgeNameOf("PostgresIssuedConversationIds", options.knowledge);
    this.ttlSeconds = (options.unusedTtlMs ?? 86_400_000) / 1000;
    this.maxIssued = options.maxIssued ?? 200_000;
    this.pruneEveryMs = options.pruneEveryMs ?? 60_000;
  }

  async add(id: string): Promise<void> {
    const now = this.now();
    await this.options.postgres.query(
      "INSERT INTO llamadesk_web_conversations (knowledge, id, issued_at) VALUES ($1, $2, coalesce($3::timestamptz, clock_timestamp()))",
      [this.knowledge, id, now],
    );
    if (Date.now() - this.lastPrune >= this.pruneEveryMs) await this.prune(now);
  }

  async has(id: string): Promise<boolean> {
    const { rowCount } = await this.options.postgres.query(
      `SELECT 1 FROM llamadesk_web_conversations
       WHERE knowledge = $1 AND id = $2 AND issued_at >= coalesce($3::timestamptz, clock_timestamp()) - make_interval(secs => $4::float8)`,
      [this.knowledge, id, this.now(), this.ttlSeconds],
    );
    return rowCount === 1;
  }

  /** Deletes ids past their time and the oldest beyond `maxIssued`, skipping rows others are deleting (never waits). */
  private async prune(now: string | null): Promise<void> {
    this.lastPrune = Date.now();
    await this.options.postgres.query(
      `DELETE FROM llamadesk_web_conversations WHERE (knowledge, id) IN (
         SELECT knowledge, id FROM llamadesk_web_conversations
         WHERE knowledge = $1 AND (
           issued_at < coalesce($2::timestamptz, clock_timestamp()) - make_interval(secs => $3::float8)
           OR seq <= (SELECT seq FROM llamadesk_web_conversations WHERE knowledge = $1 ORDER BY seq DESC OFFSET $4 LIMIT 1)
         )
         FOR UPDATE SKIP LOCKED
       )`,
      [this.knowledge, now, this.ttlSeconds, this.maxIssued],
    );
  }

  private now(): string | null {
    return this.options.now ? new Date(this.options.now()).toISOString() : null;
  }
}
