import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { definition, parseAbcdTranscripts, parseJsonlTranscripts, TranscriptsConnector } from "./index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
/** Three ABCD-shaped chats of our own (the public sample is read by test/datasets/abcd.test.ts). */
const ABCD_CHATS = join(FIXTURES, "abcd-chats.json");

async function pullAll(connector: TranscriptsConnector): Promise<{ docs: SourceDoc[]; issues: SourceIssue[] }> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  for await (const doc of connector.pull({ onIssue: (i) => issues.push(i) })) docs.push(doc);
  return { docs, issues };
}

describe("parseJsonlTranscripts", () => {
  it("reads good lines into threads and reports each bad line with its number, keeping the rest", async () => {
    const { readFile } = await import("node:fs/promises");
    const { threads, issues } = parseJsonlTranscripts(await readFile(join(FIXTURES, "helpdesk.jsonl"), "utf8"), "helpdesk.jsonl");
    expect(threads.map((t) => t.id)).toEqual(["transcript:T-1001", "transcript:T-1002", "transcript:1006"]);
    expect(issues.map((i) => [i.line, i.message.split(",")[0]])).toEqual([
      [4, "not valid JSON"],
      [5, "not a transcript"],
      [6, "not a transcript"],
      [7, "not a transcript"],
    ]);
    expect(issues.every((i) => i.file === "helpdesk.jsonl")).toBe(true);
    expect(issues[1]!.message).toContain("messages.0.role");
    expect(issues[2]!.message).toContain("at least one message");

    const [first, second, third] = threads;
    expect(first).toMatchObject({
      platform: "transcript",
      title: "Upload limit",
      url: "https://help.example.com/tickets/1001",
      tags: ["billing"],
      resolved: true,
      location: { file: "helpdesk.jsonl", line: 1 },
      updatedAt: "2024-03-01T10:05:00.000Z",
    });
    expect(first!.messages[1]).toEqual({ id: "1", author: "Dana", role: "agent", text: "On the Team plan a single file can be up to 250 GB.", ts: "2024-03-01T10:04:00.000Z" });
    // Epoch seconds become ISO times; a message without an author is named by its role.
    expect(second!.messages[0]).toMatchObject({ author: "customer", ts: new Date(1709290000 * 1000).toISOString() });
    expect(second!.resolved).toBeUndefined();
    expect(third!.messages[1]).toEqual({ id: "m2", author: "Dana", authorId: "U9", role: "agent", text: "Go to Settings > Account > Email and confirm the new address.", reactions: ["white_check_mark"] });
  });
});

describe("parseAbcdTranscripts", () => {
  it("reads ABCD chats: roles, actions as bot messages, flow tags, no personal data from the scenario", async () => {
    const { readFile } = await import("node:fs/promises");
    const { threads, issues } = parseAbcdTranscripts(await readFile(ABCD_CHATS, "utf8"), "abcd-chats.json");
    expect(issues).toEqual([]);
    expect(threads.map((t) => t.id)).toEqual(["abcd:101", "abcd:102", "abcd:103"]);
    expect(threads.map((t) => t.location)).toEqual([2, 36, 61].map((line) => ({ file: "abcd-chats.json", line })));
    const first = threads[0]!;
    expect(first.tags).toEqual(["product_defect", "return_color"]);
    expect(first.messages[0]).toEqual({ id: "0", author: "agent", role: "agent", text: "Hello, thanks for contacting us!" });
    expect(first.messages[5]).toEqual({ id: "5", author: "action", role: "bot", text: "Account has been pulled up for Rosa Lindqvist." });
    expect(first.messages).toHaveLength(23);
    // The scenario (name, email, phone, order) is not copied; what the customer typed in the chat stays, as typed.
    expect(Object.keys(first).sort()).toEqual(["id", "location", "messages", "platform", "tags"]);
    expect(JSON.stringify(threads)).not.toMatch(/north & pine|tberg204|iokafor77/);
    expect(first.messages.map((m) => m.text)).toContain("rlindqvist@email.com");
    expect(new Set(first.messages.map((m) => m.author))).toEqual(new Set(["agent", "customer", "action"]));
  });

  it("reports a bad conversation with its line and keeps the good ones; accepts the full release's splits", async () => {
    const { readFile } = await import("node:fs/promises");
    const { threads, issues } = parseAbcdTranscripts(await readFile(join(FIXTURES, "abcd-mixed.json"), "utf8"), "abcd-mixed.json");
    expect(threads.map((t) => t.id)).toEqual(["abcd:1"]);
    expect(threads[0]!.tags).toEqual(["storewide_query", "shipping_time"]);
    expect(JSON.stringify(threads[0])).not.toContain("ann@example.com");
    expect(issues.map((i) => i.line)).toEqual([13, 17]);
    expect(issues[0]!.message).toMatch(/conversation 2 skipped: original\.0\.0: /);
    expect(issues[1]!.message).toMatch(/conversation 3 skipped: convo_id: needs a number or string id/);

    const split = parseAbcdTranscripts(JSON.stringify({ train: [{ convo_id: 7, original: [["customer", "hi"]] }], dev: [], test: [{ convo_id: 8, original: [["agent", "yo"]] }] }), "abcd.json");
    expect(split.threads.map((t) => t.id)).toEqual(["abcd:7", "abcd:8"]);
    expect(parseAbcdTranscripts('[{"convo_id": 1, ', "cut.json").issues[0]).toMatchObject({ file: "cut.json", line: 1, message: expect.stringContaining("invalid JSON") });
    expect(parseAbcdTranscripts('{"x": 1}', "x.json").issues[0]!.message).toContain("not an ABCD file");
  });
});

describe("TranscriptsConnector", () => {
  it("pulls JSONL and ABCD files from a directory (format auto) as chat docs with their threads", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-transcripts-"));
    try {
      const { copyFile } = await import("node:fs/promises");
      await mkdir(join(dir, "abcd"));
      await copyFile(join(FIXTURES, "helpdesk.jsonl"), join(dir, "helpdesk.jsonl"));
      await copyFile(ABCD_CHATS, join(dir, "abcd", "chats.json"));
      await writeFile(join(dir, "notes.txt"), "not a transcript");
      const { docs, issues } = await pullAll(new TranscriptsConnector({ paths: [dir] }));
      expect(docs.map((d) => d.id)).toEqual(["abcd:101", "abcd:102", "abcd:103", "transcript:T-1001", "transcript:T-1002", "transcript:1006"]);
      expect(issues.map((i) => `${i.file}:${i.line}`)).toEqual(["helpdesk.jsonl:4", "helpdesk.jsonl:5", "helpdesk.jsonl:6", "helpdesk.jsonl:7"]);
      const upload = docs.find((d) => d.id === "transcript:T-1001")!;
      expect(upload).toMatchObject({ kind: "chat", title: "Upload limit", url: "https://help.example.com/tickets/1001", location: { file: "helpdesk.jsonl", line: 1 } });
      expect(upload.text).toContain("Dana (agent): On the Team plan a single file can be up to 250 GB.");
      expect(upload.thread?.messages).toHaveLength(3);
      expect(docs.find((d) => d.id === "abcd:103")!.title).toBe("GOOD MORNING!!");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("honours an explicit format, reports duplicate ids, and ingests into an index where the chats are searchable", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-transcripts-"));
    try {
      const line = JSON.stringify({ id: "dup", messages: [{ role: "customer", text: "Where are my invoices?" }, { role: "agent", text: "Under Billing > Invoices." }] });
      await writeFile(join(dir, "a.log"), `${line}\n${line}\n`);
      const { docs, issues } = await pullAll(new TranscriptsConnector({ paths: [join(dir, "a.log")], format: "jsonl" }));
      expect(docs.map((d) => d.id)).toEqual(["transcript:dup"]);
      expect(issues).toEqual([{ file: "a.log", line: 2, message: expect.stringContaining('duplicate transcript id "transcript:dup" (first at a.log:1)') }]);

      const embedder = new FakeEmbedder();
      const index = await LocalKnowledgeStore.open({ embedder, vectorIndex: "exact" });
      const summary = await ingest({ store: index, embedder, connectors: [new TranscriptsConnector({ paths: [join(FIXTURES, "helpdesk.jsonl")] })] });
      expect(summary).toMatchObject({ read: 3, added: 3 });
      expect(summary.issues).toHaveLength(4);
      expect((await index.getDocs(["transcript:T-1001"]))[0]).toMatchObject({ kind: "chat", url: "https://help.example.com/tickets/1001" });
      expect((await index.getDocs(["transcript:T-1001"]))[0]).not.toHaveProperty("thread");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects bad options and missing paths with clear errors; the definition resolves paths against the config's folder", async () => {
    expect(() => new TranscriptsConnector({ paths: [] })).toThrow(/`paths`: give at least one file or directory/);
    expect(() => new TranscriptsConnector({ paths: ["x"], format: "csv" as never })).toThrow(/`format`/);
    const error = await pullAll(new TranscriptsConnector({ paths: [join(FIXTURES, "missing.jsonl")] })).catch((e: unknown) => e);
    expect(isLlamadeskError(error, "SOURCE_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain("missing.jsonl");

    const options = definition.options.parse({ paths: ["fixtures/helpdesk.jsonl"], format: "jsonl" });
    const connector = definition.create(options, { baseDir: fileURLToPath(new URL(".", import.meta.url)), env: () => undefined });
    expect((await pullAll(connector as TranscriptsConnector)).docs).toHaveLength(3);
    expect(definition.options.safeParse({ paths: ["x"], extra: 1 }).success).toBe(false);
  });
});
