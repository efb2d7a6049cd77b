/**
 * The web conversation ids handed out and not yet used: a conversation exists from its `POST /api/conversations`,
 * before its first turn is stored. `MemoryIssuedConversationIds` keeps them in the process (one server);
 * `PostgresIssuedConversationIds` in the database, so an id issued by one replica works on every other.
 * Both forget ids unused for a day (a used id lives on in the conversation store).
 */
export interface IssuedConversationIds {
  /** Remembers `id` as issued now. */
  add(id: string): Promise<void>;
  /** Whether `id` was issued and is still remembered. */
  has(id: string): Promise<boolean>;
}

export interface MemoryIssuedConversationIdsOptions {
  /** Issued ids not used within this long are forgotten. Defaults to one day. */
  unusedTtlMs?: number;
  /**
   * Issued ids remembered at most; past it the oldest are forgotten first. Defaults to 50,000 (about 7 MB).
   * The widget asks within seconds of starting a conversation, and a used id lives on in the store, so only
   * ids never used are lost (the widget then starts a new conversation).
   */
  maxIssued?: number;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

/** Issued ids in process memory: one server process. */
export class MemoryIssuedConversationIds implements IssuedConversationIds {
  /** Issue time by id, in issue order. */
  private readonly issued = new Map<string, number>();
  private readonly ttl: number;
  private readonly maxIssued: number;
  private readonly now: () => number;

  constructor(options: MemoryIssuedConversationIdsOptions = {}) {
    this.ttl = options.unusedTtlMs ?? 86_400_000;
    this.maxIssued = options.maxIssued ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  /** How many issued ids are remembered. */
  get size(): number {
    return this.issued.size;
  }

  async add(id: string): Promise<void> {
    this.forgetExpired();
    this.issued.set(id, this.now());
    for (const oldest of this.issued.keys()) {
      if (this.issued.size <= this.maxIssued) break;
      this.issued.delete(oldest);
    }
  }

  async has(id: string): Promise<boolean> {
    this.forgetExpired();
    return this.issued.has(id);
  }

  private forgetExpired(): void {
    const cutoff = this.now() - this.ttl;
    for (const [id, at] of this.issued) {
      if (at >= cutoff) break; // insertion order is issue order
      this.issued.delete(id);
    }
  }
}
