import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { runCli } from "../support/runCli.js";

const thread = (id: string, question: string, answer: string): ChatThread => ({
  id,
  platform: "slack",
  url: `https://acme.slack.com/archives/C1/p${id}`,
  messages: [
    { id: "1", author: "ana", role: "customer", text: question },
    { id: "2", author: "sam", role: "agent", text: answer },
    { id: "3", author: "ana", role: "customer", text: "thanks, that worked!" },
  ],
});

describe("llamadesk export-finetune (built bin)", () => {
  let work: string;
  const cli = (...args: string[]) => runCli(["export-finetune", ...args], { cwd: work, env: { LLAMADESK_CONFIG: "" } });
  const lines = async (file: string) => (await readFile(join(work, file), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-finetune-"));
    await writeFile(join(work, "llamadesk.config.json"), JSON.stringify({ index: "index", policy: { product: "Tidepool" } }));
    const queue = await SqliteReviewQueue.open({ path: join(work, "review.sqlite") });
    const add = (t: ChatThread, question: string, answer: string) =>
      queue.add({ thread: t, question, answer, answerMessageIds: ["2"], signals: [], extractedBy: "rules" });
    const approved = await add(
      thread("1", "Sync fails with ERR_QUOTA, mail me at ana@example.com", "Run `tidepool quota refresh`."),
      "Sync fails with ERR_QUOTA",
      "Run `tidepool quota refresh`.",
    );
    await queue.approve(approved.id, { question: "Why does sync fail with ERR_QUOTA?" });
    const rejected = await add(thread("2", "Can I get a discount?", "Call me on +1 202 555 0143"), "Can I get a discount?", "Call me on +1 202 555 0143");
    await queue.reject(rejected.id);
    await add(thread("3", "Is there a dark mode?", "Not yet."), "Is there a dark mode?", "Not yet.");
    await queue.dispose();
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("writes approved Q/A and their threads in Llama 2-Chat format with the bot's system prompt, redacted; never pending or rejected ones", async () => {
    const result = await cli("--format", "llama2-chat", "--out", "train.jsonl", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ format: "llama2-chat", examples: 2, approved: 1, threads: 1, faq: 0, duplicates: 0, redacted: true });
    const [qa, conversation] = await lines("train.jsonl");
    expect(qa!.text).toMatch(/^<s>\[INST\] <<SYS>>\nYou are the support assistant for Tidepool\./);
    expect(qa!.text).toMatch(/<<\/SYS>>\n\nWhy does sync fail with ERR_QUOTA\? \[\/INST\] Run `tidepool quota refresh`\. <\/s>$/);
    expect(conversation!.text).toContain("Sync fails with ERR_QUOTA, mail me at [email] [/INST]");
    const all = await readFile(join(work, "train.jsonl"), "utf8");
    expect(all).not.toContain("ana@example.com");
    expect(all).not.toMatch(/discount|dark mode/);
  });

  it("writes Alpaca records, and keeps personal data only when asked", async () => {
    expect((await cli("--format", "alpaca", "--out", "alpaca.jsonl", "--no-redact")).code).toBe(0);
    const records = await lines("alpaca.jsonl");
    expect(records[0]).toEqual({ instruction: "Why does sync fail with ERR_QUOTA?", input: "", output: "Run `tidepool quota refresh`." });
    expect(records[1]!.instruction).toContain("ana@example.com");
  });

  it("--with-faq adds the index's FAQ entries, dropping one that repeats an approved Q/A", async () => {
    await writeFile(join(work, "faq.md"), "# Why does sync fail with ERR_QUOTA?\nRun `tidepool quota refresh`.\n\n# How do I invite a teammate?\nSettings > Team > Invite.\n");
    expect((await runCli(["ingest", "faq.md", "--index", "index"], { cwd: work })).code).toBe(0);
    const result = await cli("--format", "alpaca", "--out", "faq.jsonl", "--with-faq", "--json");
    expect(JSON.parse(result.stdout)).toMatchObject({ examples: 3, approved: 1, threads: 1, faq: 2, duplicates: 1 });
    expect((await lines("faq.jsonl")).map((r) => r.instruction)).toContain("How do I invite a teammate?");
  });

  it("says what to do when there is nothing to export, and rejects an unknown format", async () => {
    const empty = await cli("--format", "alpaca", "--out", "x.jsonl", "--queue", "empty.sqlite");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/error \[NOTHING_TO_EXPORT\]: .*llamadesk review.*--with-faq/);
    const bad = await cli("--format", "chatml", "--out", "x.jsonl");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are llama2-chat, alpaca/);
  });
});
