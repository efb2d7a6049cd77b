import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { isLlamadeskError, type ErrorCode } from "../../src/errors.js";
import { MemoryReviewQueue } from "../../src/mining/MemoryReviewQueue.js";
import { candidateIdOf, finalAnswer, finalQuestion, type NewCandidate, type ReviewQueue } from "../../src/mining/ReviewQueue.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { PostgresReviewQueue } from "../../src/postgres/PostgresReviewQueue.js";
import { useTestDatabase } from "../support/postgres/testDatabase.js";

interface Implementation {
  name: string;
  open(options: { now?: () => Date; path?: string }): Promise<ReviewQueue>;
}

const dirs: string[] = [];
const queues: ReviewQueue[] = [];
const postgres = useTestDatabase();
afterEach(async () => {
  for (const q of queues.splice(0)) await q.dispose();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-queue-"));
  dirs.push(dir);
  return dir;
}

// One suite, every implementation: what a ReviewQueue promises, it keeps.
const implementations: Implementation[] = [
  { name: "MemoryReviewQueue", open: async (options) => new MemoryReviewQueue(options) },
  { name: "SqliteReviewQueue", open: async (options) => SqliteReviewQueue.open({ path: options.path ?? join(await tempDir(), "review.sqlite"), ...options }) },
  // One database for the file; each test a knowledge base of its own in it.
  { name: "PostgresReviewQueue", open: async ({ now }) => PostgresReviewQueue.open({ postgres: await postgres.postgres(), knowledge: postgres.knowledge(), ...(now ? { now } : {}) }) },
];

function tickingClock(start = "2024-05-01T09:00:00.000Z"): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isLlamadeskError(error, code), `expected a LlamadeskError ${code}, got ${String(error)}`).toBe(true);
  return error as Error;
}

function thread(id: string, url?: string): ChatThread {
  return {
    id,
    platform: "slack",
    channel: "#support",
    ...(url ? { url } : {}),
    messages: [
      { id: "1", author: "maya", role: "customer", text: "How do I cap upload speed?" },
      { id: "2", author: "Dana", role: "agent", text: "Preferences > Network > Upload limit.", reactions: ["white_check_mark"] },
    ],
  };
}

function candidate(id: string, extra: Partial<NewCandidate> = {}): NewCandidate {
  return {
    thread: thread(id, `https://example.slack.com/archives/C1/${id}`),
    question: `How do I cap upload speed? (${id})`,
    answer: "Preferences > Network > Upload limit.",
    answerMessageIds: ["2"],
    signals: [{ kind: "reaction", detail: "white_check_mark", messageId: "2" }],
    extractedBy: "rules",
    ...extra,
  };
}

describe.each(implementations)("ReviewQueue contract: $name", (impl) => {
  const openQueue = async (options: { now?: () => Date; path?: string } = {}) => {
    const q = await impl.open(options);
    queues.push(q);
    return q;
  };

  it("adds a pending candidate with a stable id, the whole thread and its own provenance", async () => {
    const q = await openQueue({ now: tickingClock() });
    const c = await q.add(candidate("t1"));
    expect(c).toEqual({
      id: candidateIdOf("t1"),
      threadId: "t1",
      threadUrl: "https://example.slack.com/archives/C1/t1",
      platform: "slack",
      thread: thread("t1", "https://example.slack.com/archives/C1/t1"),
      question: "How do I cap upload speed? (t1)",
      answer: "Preferences > Network > Upload limit.",
      answerMessageIds: ["2"],
      signals: [{ kind: "reaction", detail: "white_check_mark", messageId: "2" }],
      extractedBy: "rules",
      status: "pending",
      provenance: [{ threadId: "t1", platform: "slack", url: "https://example.slack.com/archives/C1/t1", addedAt: "2024-05-01T09:00:01.000Z" }],
      createdAt: "2024-05-01T09:00:01.000Z",
    });
    expect(c.id).toMatch(/^c[0-9a-f]{10}$/);
    expect(await q.get(c.id)).toEqual(c);
    expect(await q.get("c0000000000")).toBeUndefined();
  });

  it("lists by status, oldest first (pending by default), and approved() gives the approved ones", async () => {
    const q = await openQueue({ now: tickingClock() });
    const [a, b, c] = [await q.add(candidate("a")), await q.add(candidate("b")), await q.add(candidate("c"))];
    await q.approve(b.id);
    await q.reject(c.id);
    expect((await q.list()).map((x) => x.id)).toEqual([a.id]);
    expect((await q.list({ status: "all" })).map((x) => x.id)).toEqual([a.id, b.id, c.id]);
    expect((await q.list({ status: "rejected" })).map((x) => x.id)).toEqual([c.id]);
    expect((await q.approved()).map((x) => x.id)).toEqual([b.id]);
    await expectCode(q.list({ status: "done" as never }), "INVALID_OPTION");
  });

  it("approves with edits, keeps the mined wording, and records when; edit() changes wording only", async () => {
    const q = await openQueue({ now: tickingClock() });
    const c = await q.add(candidate("t1"));
    const edited = await q.edit(c.id, { question: "  How can I limit upload bandwidth?  " });
    expect(edited).toMatchObject({ status: "pending", editedQuestion: "How can I limit upload bandwidth?", question: c.question });
    expect(edited.reviewedAt).toBeUndefined();
    const approved = await q.approve(c.id, { answer: "Open Preferences > Network and set an upload limit." });
    expect(approved).toMatchObject({ status: "approved", reviewedAt: "2024-05-01T09:00:02.000Z", editedQuestion: "How can I limit upload bandwidth?" });
    expect(finalQuestion(approved)).toBe("How can I limit upload bandwidth?");
    expect(finalAnswer(approved)).toBe("Open Preferences > Network and set an upload limit.");
    // A change of mind: rejecting an approved candidate takes it out of approved().
    expect((await q.reject(c.id)).status).toBe("rejected");
    expect(await q.approved()).toEqual([]);
    await expectCode(q.edit(c.id, {}), "INVALID_OPTION");
    await expectCode(q.approve(c.id, { question: " " }), "INVALID_OPTION");
  });

  it("knows every thread it has seen, whatever the status, and refuses to add one twice", async () => {
    const q = await openQueue();
    const c = await q.add(candidate("t1"));
    await q.reject(c.id);
    expect(await q.isKnownThread("t1")).toBe(true);
    expect(await q.isKnownThread("t2")).toBe(false);
    expect((await q.findByThread("t1"))?.status).toBe("rejected");
    const error = await expectCode(q.add(candidate("t1")), "INVALID_OPTION");
    expect(error.message).toContain(`candidate ${c.id}, rejected`);
  });

  it("merges: a merged candidate records its target, the target gains provenance, and merged ones are not reviewed", async () => {
    const q = await openQueue({ now: tickingClock() });
    const target = await q.add(candidate("t1"));
    const merged = await q.add(candidate("t2", { mergedInto: { kind: "candidate", id: target.id, title: target.question, similarity: 0.91 } }));
    expect(merged).toMatchObject({ status: "merged", mergedInto: { kind: "candidate", id: target.id, similarity: 0.91 } });
    const grown = await q.addProvenance(target.id, { threadId: "t2", platform: "slack", url: "https://example.slack.com/archives/C1/t2", similarity: 0.91 });
    expect(grown.provenance.map((p) => [p.threadId, p.similarity])).toEqual([["t1", undefined], ["t2", 0.91]]);
    // Adding the same thread again changes nothing.
    expect((await q.addProvenance(target.id, { threadId: "t2", platform: "slack" })).provenance).toHaveLength(2);
    expect((await q.list({ status: "merged" })).map((c) => c.id)).toEqual([merged.id]);
    expect((await q.list()).map((c) => c.id)).toEqual([target.id]);
    expect((await expectCode(q.approve(merged.id), "INVALID_OPTION")).message).toContain(`merged into candidate ${target.id}`);
    // A thread known only through another's provenance is found through it.
    await q.addProvenance(target.id, { threadId: "t3", platform: "discord" });
    expect((await q.findByThread("t3"))?.id).toBe(target.id);
    expect(await q.isKnownThread("t3")).toBe(true);
  });

  it("throws CANDIDATE_NOT_FOUND for unknown ids, INVALID_OPTION for bad input, STORE_FAILED after dispose", async () => {
    const q = await openQueue();
    // One call at a time: a store doing real I/O could reject a later call before the loop awaits it (an unhandled rejection).
    for (const call of [() => q.approve("cnope"), () => q.reject("cnope"), () => q.edit("cnope", { answer: "x" }), () => q.addProvenance("cnope", { threadId: "x", platform: "slack" })]) {
      expect((await expectCode(call(), "CANDIDATE_NOT_FOUND")).message).toContain('"cnope"');
    }
    await expectCode(q.add(candidate("t1", { question: "" })), "INVALID_OPTION");
    await expectCode(q.add(candidate("t1", { extractedBy: "magic" as never })), "INVALID_OPTION");
    expect(await q.isKnownThread("t1")).toBe(false);
    await q.dispose();
    await q.dispose();
    await expectCode(q.list(), "STORE_FAILED");
  });
});

describe("SqliteReviewQueue", () => {
  it("keeps everything across reopening the file", async () => {
    const path = join(await tempDir(), "review.sqlite");
    const first = await SqliteReviewQueue.open({ path });
    const c = await first.add(candidate("t1"));
    await first.approve(c.id, { question: "Edited?" });
    await first.dispose();
    const again = await SqliteReviewQueue.open({ path });
    queues.push(again);
    expect(await again.approved()).toEqual([{ ...c, status: "approved", editedQuestion: "Edited?", reviewedAt: expect.any(String) }]);
  });

  it("refuses a file that is not a review queue, without touching it", async () => {
    const dir = await tempDir();
    const other = join(dir, "other.sqlite");
    const db = new Database(other);
    db.exec("CREATE TABLE mine (x INTEGER)");
    db.close();
    expect((await expectCode(SqliteReviewQueue.open({ path: other }), "STORE_FAILED")).message).toContain("not a llamadesk review queue");
    const text = join(dir, "notes.txt");
    await writeFile(text, "hello, not a database at all, just some text that is long enough to have a header".repeat(20));
    expect((await expectCode(SqliteReviewQueue.open({ path: text }), "STORE_FAILED")).message).toContain(text);
    await expectCode(SqliteReviewQueue.open({ path: join(dir, "missing", "review.sqlite") }), "STORE_FAILED");
  });
});
