import { randomUUID } from "node:crypto";
import {
  checkFeedback,
  checkHistoryLimit,
  checkNewTurn,
  checkClaim,
  checkSeenEvent,
  checkStatus,
  conversationNotFound,
  notAnAnswer,
  storeClosed,
  turnNotFound,
  type Conversation,
  type ConversationStatus,
  type ConversationStore,
  type FeedbackCounts,
  type FeedbackInput,
  type HistoryOptions,
  type NewTurn,
  type Turn,
  type Vote,
} from "./ConversationStore.js";
import {
  checkActivityQuery,
  checkFailedQuestionsQuery,
  checkSpan,
  type ActivityQuery,
  type ConversationActivity,
  type FailedQuestion,
  type FailedQuestionsQuery,
  type SourceUse,
  type SpanQuery,
} from "./ConversationActivity.js";
import { copyRecordedTimes, countActivity, countSourceUse, findFailedQuestions, type StoredConversation } from "./countActivity.js";

export interface MemoryConversationStoreOptions {
  /** Clock for `createdAt` and `updatedAt`. Defaults to the system clock. */
  now?: () => Date;
}

/**
 * A ConversationStore in plain maps: for tests and throwaway demos. Everything is lost
 * when the process ends. Returns copies, so callers cannot change what is stored.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly now: () => Date;
  private readonly conversations = new Map<string, Conversation>();
  /** Turns by conversation id, in append order. */
  private readonly turns = new Map<string, Turn[]>();
  private readonly turnById = new Map<string, Turn>();
  /** Votes by turn id, then user id. */
  private readonly votes = new Map<string, Map<string, { vote: Vote; comment?: string }>>();
  /** Seen event keys and when their record ends (ms since the epoch). */
  private readonly seenEvents = new Map<string, number>();
  private readonly claims = new Map<string, { holder: string; until: number }>();
  private disposed = false;

  constructor(options: MemoryConversationStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async appendTurn(input: NewTurn): Promise<Turn> {
    this.assertOpen();
    checkNewTurn(input);
    const at = this.now().toISOString();
    let conversation = this.conversations.get(input.conversationId);
    if (!conversation) {
      conversation = { id: input.conversationId, createdAt: at, updatedAt: at, status: "open" };
      if (input.channel !== undefined) conversation.channel = input.channel;
      if (input.user !== undefined) conversation.user = input.user;
      this.conversations.set(conversation.id, conversation);
      this.turns.set(conversation.id, []);
    }
    conversation.updatedAt = at;
    const turn: Turn = { id: randomUUID(), conversationId: input.conversationId, role: input.role, text: input.text, createdAt: at };
    if (input.outcome !== undefined) turn.outcome = input.outcome;
    if (input.sources !== undefined) turn.sources = structuredClone(input.sources);
    if (input.mode !== undefined) turn.mode = input.mode;
    copyRecordedTimes(input, turn);
    this.turns.get(conversation.id)!.push(turn);
    this.turnById.set(turn.id, turn);
    return structuredClone(turn);
  }

  async history(conversationId: string, options: HistoryOptions = {}): Promise<Turn[]> {
    this.assertOpen();
    checkHistoryLimit(options.limit);
    const turns = this.turns.get(conversationId) ?? [];
    return structuredClone(options.limit === undefined ? turns : turns.slice(-options.limit));
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    this.assertOpen();
    const conversation = this.conversations.get(id);
    return conversation && structuredClone(conversation);
  }

  async setStatus(id: string, status: ConversationStatus): Promise<Conversation> {
    this.assertOpen();
    checkStatus(status);
    const conversation = this.conversations.get(id);
    if (!conversation) throw conversationNotFound(id);
    conversation.status = status;
    conversation.updatedAt = this.now().toISOString();
    return structuredClone(conversation);
  }

  async recordFeedback(input: FeedbackInput): Promise<FeedbackCounts> {
    this.assertOpen();
    checkFeedback(input);
    const turn = this.turnById.get(input.turnId);
    if (!turn) throw turnNotFound(input.turnId);
    if (turn.role !== "assistant") throw notAnAnswer(input.turnId);
    let byUser = this.votes.get(turn.id);
    if (!byUser) this.votes.set(turn.id, (byUser = new Map()));
    byUser.set(input.userId, input.comment === undefined ? { vote: input.vote } : { vote: input.vote, comment: input.comment });
    return this.counts(turn.id);
  }

  async feedback(turnId: string): Promise<FeedbackCounts> {
    this.assertOpen();
    return this.counts(turnId);
  }

  async deleteConversation(id: string): Promise<boolean> {
    this.assertOpen();
    if (!this.conversations.delete(id)) return false;
    for (const turn of this.turns.get(id) ?? []) {
      this.turnById.delete(turn.id);
      this.votes.delete(turn.id);
    }
    this.turns.delete(id);
    return true;
  }

  async claim(key: string, holder: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    checkClaim(key, holder, ttlMs);
    const now = this.now().getTime();
    const held = this.claims.get(key);
    if (held && held.holder !== holder && held.until > now) return false;
    this.claims.set(key, { holder, until: now + ttlMs });
    return true;
  }

  async releaseClaim(key: string, holder: string): Promise<void> {
    this.assertOpen();
    checkClaim(key, holder);
    if (this.claims.get(key)?.holder === holder) this.claims.delete(key);
  }

  async markEventSeen(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    checkSeenEvent(key, ttlMs);
    const now = this.now().getTime();
    for (const [seen, until] of this.seenEvents) if (until <= now) this.seenEvents.delete(seen);
    if (this.seenEvents.has(key)) return false;
    this.seenEvents.set(key, now + ttlMs);
    return true;
  }

  async activity(query: ActivityQuery): Promise<ConversationActivity> {
    this.assertOpen();
    checkActivityQuery(query);
    return countActivity(this.records(query), query);
  }

  async failedQuestions(query: FailedQuestionsQuery): Promise<FailedQuestion[]> {
    this.assertOpen();
    checkFailedQuestionsQuery(query);
    return findFailedQuestions(this.records(query), query);
  }

  async sourceUse(query: SpanQuery): Promise<SourceUse[]> {
    this.assertOpen();
    checkSpan(query);
    return countSourceUse(this.records(query), query);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  /** The conversations of the channel asked for, with their turns and votes, for counting in plain code. */
  private records(query: SpanQuery): StoredConversation[] {
    const records: StoredConversation[] = [];
    for (const conversation of this.conversations.values()) {
      if (query.channel !== undefined && conversation.channel !== query.channel) continue;
      const turns = this.turns.get(conversation.id) ?? [];
      records.push({ conversation, turns, votes: (turnId) => [...(this.votes.get(turnId)?.values() ?? [])].map((v) => v.vote) });
    }
    return records;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private counts(turnId: string): FeedbackCounts {
    const counts = { up: 0, down: 0 };
    for (const { vote } of this.votes.get(turnId)?.values() ?? []) counts[vote]++;
    return counts;
  }

  private assertOpen(): void {
    if (this.disposed) throw storeClosed("MemoryConversationStore");
  }
}
