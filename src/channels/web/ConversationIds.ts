import { randomBytes } from "node:crypto";
import type { Bot } from "../../bot.js";

/** A web conversation id: `web-` and 32 random base64url characters (192 bits), so one visitor cannot guess another's. */
export const WEB_CONVERSATION_ID = /^web-[A-Za-z0-9_-]{32}$/;

export interface ConversationIdsOptions {
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

/**
 * Issues web conversation ids and tells which exist: an id exists once issued (until it goes unused for a day, or
 * `maxIssued` newer ones push it out) or once the bot's store has turns for it. Only ids of the web form are
 * accepted, so the API cannot reach Slack or Discord conversations.
 */
export class ConversationIds {
  /** Issue time by id, in issue order. */
  private readonly issued = new Map<string, number>();
  private readonly ttl: number;
  private readonly maxIssued: number;
  private readonly now: () => number;

  constructor(
    private readonly bot: Pick<Bot, "history">,
    options: ConversationIdsOptions = {},
  ) {
    this.ttl = options.unusedTtlMs ?? 86_400_000;
    this.maxIssued = options.maxIssued ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  /** How many issued ids are remembered. */
  get size(): number {
    return this.issued.size;
  }

  issue(): string {
    this.forgetExpired();
    const id = `web-${randomBytes(24).toString("base64url")}`;
    this.issued.set(id, this.now());
    for (const oldest of this.issued.keys()) {
      if (this.issued.size <= this.maxIssued) break;
      this.issued.delete(oldest);
    }
    return id;
  }

  async exists(id: string): Promise<boolean> {
    if (!WEB_CONVERSATION_ID.test(id)) return false;
    this.forgetExpired();
    if (this.issued.has(id)) return true;
    return (await this.bot.history(id)).length > 0;
  }

  private forgetExpired(): void {
    const cutoff = this.now() - this.ttl;
    for (const [id, at] of this.issued) {
      if (at >= cutoff) break; // insertion order is issue order
      this.issued.delete(id);
    }
  }
}
