import { storeClosed } from "../store/ConversationStore.js";
import {
  alternateIdOf,
  alternateNotFound,
  checkAlternateStatus,
  checkNewAlternate,
  candidateIdOf,
  candidateNotFound,
  cannotReviewMerged,
  checkEdits,
  checkListStatus,
  checkNewCandidate,
  threadAlreadyQueued,
  type AlternateQuestion,
  type Candidate,
  type CandidateEdits,
  type ListAlternatesOptions,
  type NewAlternate,
  type CandidateSource,
  type ListCandidatesOptions,
  type NewCandidate,
  type ReviewQueue,
} from "./ReviewQueue.js";

export interface MemoryReviewQueueOptions {
  /** Clock for `createdAt`, `reviewedAt` and provenance times. Defaults to the system clock. */
  now?: () => Date;
}

/** A ReviewQueue in memory, for tests and throwaway runs. Returns copies: changing them changes nothing. */
export class MemoryReviewQueue implements ReviewQueue {
  private readonly candidates = new Map<string, Candidate>();
  private readonly alternates = new Map<string, AlternateQuestion>();
  private readonly now: () => Date;
  private closed = false;

  constructor(options: MemoryReviewQueueOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async add(input: NewCandidate): Promise<Candidate> {
    this.assertOpen();
    checkNewCandidate(input);
    const holder = this.holderOf(input.thread.id);
    if (holder) throw threadAlreadyQueued(input.thread.id, holder);
    const at = this.now().toISOString();
    const { thread } = input;
    const candidate: Candidate = {
      id: candidateIdOf(thread.id),
      threadId: thread.id,
      ...(thread.url ? { threadUrl: thread.url } : {}),
      platform: thread.platform,
      thread: structuredClone(thread),
      question: input.question,
      answer: input.answer,
      answerMessageIds: [...input.answerMessageIds],
      signals: structuredClone(input.signals),
      extractedBy: input.extractedBy,
      status: input.mergedInto ? "merged" : "pending",
      ...(input.mergedInto ? { mergedInto: { ...input.mergedInto } } : {}),
      provenance: [{ threadId: thread.id, platform: thread.platform, ...(thread.url ? { url: thread.url } : {}), addedAt: at }],
      createdAt: at,
    };
    this.candidates.set(candidate.id, candidate);
    return structuredClone(candidate);
  }

  async get(id: string): Promise<Candidate | undefined> {
    this.assertOpen();
    const c = this.candidates.get(id);
    return c && structuredClone(c);
  }

  async list(options: ListCandidatesOptions = {}): Promise<Candidate[]> {
    this.assertOpen();
    const status = options.status ?? "pending";
    checkListStatus(status);
    return [...this.candidates.values()].filter((c) => status === "all" || c.status === status).map((c) => structuredClone(c));
  }

  async findByThread(threadId: string): Promise<Candidate | undefined> {
    this.assertOpen();
    const c = this.holderOf(threadId);
    return c && structuredClone(c);
  }

  async isKnownThread(threadId: string): Promise<boolean> {
    return (await this.findByThread(threadId)) !== undefined;
  }

  async edit(id: string, edits: CandidateEdits): Promise<Candidate> {
    checkEdits(edits, true);
    return this.update(id, (c) => applyEdits(c, edits));
  }

  async approve(id: string, edits: CandidateEdits = {}): Promise<Candidate> {
    checkEdits(edits, false);
    return this.update(id, (c) => {
      applyEdits(c, edits);
      c.status = "approved";
      c.reviewedAt = this.now().toISOString();
    });
  }

  async reject(id: string): Promise<Candidate> {
    return this.update(id, (c) => {
      c.status = "rejected";
      c.reviewedAt = this.now().toISOString();
    });
  }

  async addProvenance(id: string, source: Omit<CandidateSource, "addedAt">): Promise<Candidate> {
    this.assertOpen();
    const c = this.candidates.get(id);
    if (!c) throw candidateNotFound(id);
    if (!c.provenance.some((p) => p.threadId === source.threadId)) c.provenance.push({ ...source, addedAt: this.now().toISOString() });
    return structuredClone(c);
  }

  async approved(): Promise<Candidate[]> {
    return this.list({ status: "approved" });
  }

  async addAlternate(input: NewAlternate): Promise<AlternateQuestion> {
    this.assertOpen();
    checkNewAlternate(input);
    const question = input.question.replace(/\s+/g, " ").trim();
    const id = alternateIdOf(input.entryId, question);
    const existing = this.alternates.get(id);
    if (existing) return structuredClone(existing);
    const alternate: AlternateQuestion = {
      id,
      entryId: input.entryId,
      question,
      origin: input.origin,
      ...(input.threadId ? { threadId: input.threadId } : {}),
      ...(input.conversationId ? { conversationId: input.conversationId } : {}),
      ...(input.turnId ? { turnId: input.turnId } : {}),
      status: input.origin === "feedback" ? "pending" : "approved",
      createdAt: this.now().toISOString(),
    };
    this.alternates.set(id, alternate);
    return structuredClone(alternate);
  }

  async listAlternates(options: ListAlternatesOptions = {}): Promise<AlternateQuestion[]> {
    this.assertOpen();
    const status = options.status ?? "pending";
    checkAlternateStatus(status);
    return [...this.alternates.values()]
      .filter((a) => (status === "all" || a.status === status) && (options.entryId === undefined || a.entryId === options.entryId))
      .map((a) => structuredClone(a));
  }

  async approveAlternate(id: string, edits: { question?: string } = {}): Promise<AlternateQuestion> {
    if (edits.question !== undefined) checkNewAlternate({ entryId: "-", question: edits.question, origin: "reviewer" });
    return this.reviewAlternate(id, (a) => {
      if (edits.question !== undefined) a.question = edits.question.replace(/\s+/g, " ").trim();
      a.status = "approved";
    });
  }

  async rejectAlternate(id: string): Promise<AlternateQuestion> {
    return this.reviewAlternate(id, (a) => {
      a.status = "rejected";
    });
  }

  async alternatesByEntry(): Promise<Map<string, string[]>> {
    this.assertOpen();
    const byEntry = new Map<string, string[]>();
    for (const a of this.alternates.values()) {
      if (a.status !== "approved") continue;
      byEntry.set(a.entryId, [...(byEntry.get(a.entryId) ?? []), a.question]);
    }
    return byEntry;
  }

  async dispose(): Promise<void> {
    this.closed = true;
  }

  private async reviewAlternate(id: string, change: (a: AlternateQuestion) => void): Promise<AlternateQuestion> {
    this.assertOpen();
    const a = this.alternates.get(id);
    if (!a) throw alternateNotFound(id);
    change(a);
    a.reviewedAt = this.now().toISOString();
    return structuredClone(a);
  }

  /** Finds the candidate for a review change; merged candidates are not reviewed. */
  private async update(id: string, change: (c: Candidate) => void): Promise<Candidate> {
    this.assertOpen();
    const c = this.candidates.get(id);
    if (!c) throw candidateNotFound(id);
    if (c.status === "merged") throw cannotReviewMerged(c);
    change(c);
    return structuredClone(c);
  }

  private holderOf(threadId: string): Candidate | undefined {
    const own = this.candidates.get(candidateIdOf(threadId));
    if (own?.threadId === threadId) return own;
    return [...this.candidates.values()].find((c) => c.provenance.some((p) => p.threadId === threadId));
  }

  private assertOpen(): void {
    if (this.closed) throw storeClosed("MemoryReviewQueue");
  }
}

function applyEdits(c: Candidate, edits: CandidateEdits): void {
  if (edits.question !== undefined) c.editedQuestion = edits.question.trim();
  if (edits.answer !== undefined) c.editedAnswer = edits.answer.trim();
}
