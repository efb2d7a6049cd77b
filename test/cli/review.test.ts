import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TranscriptsConnector } from "../../connectors/transcripts/index.js";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import type { Candidate } from "../../src/mining/ReviewQueue.js";
import { mineThreads } from "../../src/mining/mineThreads.js";
import { SqliteReviewQueue } from "../../src/mining/SqliteReviewQueue.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import { runCli } from "../support/runCli.js";

const HELPDESK = fileURLToPath(new URL("../../connectors/transcripts/fixtures/helpdesk.jsonl", import.meta.url));
/** No editor from the developer's environment: the line prompts are what these tests drive. */
const NO_EDITOR = { VISUAL: "", EDITOR: "" };

let dir: string;
let threads: ChatThread[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llamadesk-review-cli-"));
  threads = [];
  for await (const doc of new TranscriptsConnector({ paths: [HELPDESK] }).pull()) threads.push(doc.thread!);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh queue file mined from the helpdesk fixture: T-1001 (resolved: true, thanks) and 1006 (check mark) pending, T-1002 not resolved. */
async function minedQueue(name: string): Promise<{ path: string; ids: string[] }> {
  const path = join(dir, name, "review.sqlite");
  await mkdir(join(dir, name), { recursive: true });
  const queue = await SqliteReviewQueue.open({ path });
  try {
    await mineThreads({ threads, queue, embedder: new FakeEmbedder() });
    return { path, ids: (await queue.list()).map((c) => c.id) };
  } finally {
    await queue.dispose();
  }
}

async function statusOf(path: string, id: string): Promise<Candidate | undefined> {
  const queue = await SqliteReviewQueue.open({ path });
  try {
    return await queue.get(id);
  } finally {
    await queue.dispose();
  }
}

describe("llamadesk review", () => {
  it("lists pending candidates with question, answer, source link and signals; --json for scripts", async () => {
    const { path, ids } = await minedQueue("list");
    expect(ids).toHaveLength(2);
    const text = await runCli(["review", "--queue", path], { env: NO_EDITOR });
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`2 pending candidates in ${path}`);
    expect(text.stdout).toContain(`[${ids[0]}] pending · transcript · rule-based`);
    expect(text.stdout).toContain("Q: Is there a file size limit for uploads on the Team plan?");
    expect(text.stdout).toContain("A: On the Team plan a single file can be up to 250 GB.");
    expect(text.stdout).toContain("source: https://help.example.com/tickets/1001");
    expect(text.stdout).toContain('signals: source resolved: true; thanks "Great, thanks!"');
    expect(text.stdout).toContain("source: helpdesk.jsonl:8");
    expect(text.stdout).toContain("signals: reaction white_check_mark");

    const json = await runCli(["review", "--queue", path, "--json", "--status", "all"], { env: NO_EDITOR });
    const parsed = JSON.parse(json.stdout) as { queue: string; status: string; candidates: Candidate[] };
    expect(parsed).toMatchObject({ queue: path, status: "all" });
    expect(parsed.candidates.map((c) => [c.id, c.status, c.threadId])).toEqual([
      [ids[0], "pending", "transcript:T-1001"],
      [ids[1], "pending", "transcript:1006"],
    ]);
    expect(parsed.candidates[0]!.thread.messages).toHaveLength(3);
  });

  it("approves with edits, edits, rejects by id; lists by status; bad ids and flags fail with a coded error", async () => {
    const { path, ids } = await minedQueue("actions");
    const approved = await runCli(["review", "--queue", path, "--approve", ids[0]!, "--question", "How big can one upload be on the Team plan?"], { env: NO_EDITOR });
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`approved ${ids[0]}`);
    expect(approved.stdout).toContain("Q (edited): How big can one upload be on the Team plan?");
    const edited = await runCli(["review", "--queue", path, "--edit", ids[1]!, "--answer", "Settings > Account > Email, then confirm.", "--json"], { env: NO_EDITOR });
    expect(JSON.parse(edited.stdout)).toMatchObject({ id: ids[1], status: "pending", editedAnswer: "Settings > Account > Email, then confirm." });
    expect((await runCli(["review", "--queue", path, "--reject", ids[1]!], { env: NO_EDITOR })).code).toBe(0);

    expect((await statusOf(path, ids[0]!))).toMatchObject({ status: "approved", editedQuestion: "How big can one upload be on the Team plan?" });
    expect((await statusOf(path, ids[1]!))?.status).toBe("rejected");
    expect((await runCli(["review", "--queue", path], { env: NO_EDITOR })).stdout).toContain(`No pending candidates in ${path}.`);
    const rejected = JSON.parse((await runCli(["review", "--queue", path, "--status", "rejected", "--json"], { env: NO_EDITOR })).stdout) as { candidates: Candidate[] };
    expect(rejected.candidates.map((c) => c.id)).toEqual([ids[1]]);

    const unknown = await runCli(["review", "--queue", path, "--approve", "cnope"], { env: NO_EDITOR });
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toContain('error [CANDIDATE_NOT_FOUND]: No candidate "cnope" in the review queue.');
    expect((await runCli(["review", "--queue", path, "--edit", ids[0]!], { env: NO_EDITOR })).stderr).toContain("error [INVALID_OPTION]: --edit needs --question");
    expect((await runCli(["review", "--queue", path, "--status", "done"], { env: NO_EDITOR })).stderr).toContain("--status must be one of pending, approved, rejected, merged, all");
    expect((await runCli(["review", "--queue", path, "--approve", ids[0]!, "--reject", ids[1]!], { env: NO_EDITOR })).stderr).toContain("one of --approve, --reject and --edit");
  });

  it("goes through pending candidates interactively: thread, edit question, approve, then reject", async () => {
    const { path, ids } = await minedQueue("interactive");
    const run = await runCli(["review", "--queue", path, "--interactive"], { env: NO_EDITOR, input: "t\nq\nHow large can a single upload be on Team?\nwhat\na\nr\n" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("2 pending candidates. a approve · q edit question");
    expect(run.stdout).toContain(`(1/2) [${ids[0]}] pending`);
    expect(run.stdout).toContain("* Dana (agent): On the Team plan a single file can be up to 250 GB.");
    expect(run.stdout).toContain("Q (edited): How large can a single upload be on Team?");
    expect(run.stdout).toContain(`approved ${ids[0]}`);
    expect(run.stdout).toContain(`rejected ${ids[1]}`);
    expect(run.stdout).toContain("approved 1, rejected 1, skipped 0, left pending 0.");
    expect(await statusOf(path, ids[0]!)).toMatchObject({ status: "approved", editedQuestion: "How large can a single upload be on Team?" });
    expect((await statusOf(path, ids[1]!))?.status).toBe("rejected");
  });

  it("edits in $EDITOR when one is set, and quits at the end of input leaving the rest pending", async () => {
    const { path, ids } = await minedQueue("editor");
    const editor = join(dir, "editor.mjs");
    await writeFile(editor, 'import { writeFileSync } from "node:fs";\nwriteFileSync(process.argv[2], "Step 1: open Settings.\\nStep 2: set the limit.\\n");\n');
    const run = await runCli(["review", "--queue", path, "--interactive"], { env: { VISUAL: "", EDITOR: `"${process.execPath}" "${editor}"` }, input: "e\na\n" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("A (edited): Step 1: open Settings.\n   Step 2: set the limit.");
    expect(run.stdout).toContain("approved 1, rejected 0, skipped 0, left pending 1.");
    expect(await statusOf(path, ids[0]!)).toMatchObject({ status: "approved", editedAnswer: "Step 1: open Settings.\nStep 2: set the limit." });
    expect((await statusOf(path, ids[1]!))?.status).toBe("pending");
  });

  it("finds the queue from the config file's mining.queue, else beside the index", async () => {
    const { path, ids } = await minedQueue("configured");
    const config = join(dir, "configured", "llamadesk.config.json");
    await writeFile(config, JSON.stringify({ mining: { queue: "review.sqlite", supportUsers: ["U9"] } }));
    const viaConfig = await runCli(["review", "--config", config, "--json"], { env: NO_EDITOR });
    expect(JSON.parse(viaConfig.stdout)).toMatchObject({ queue: path });
    const viaIndex = await runCli(["review", "--index", join(dir, "configured", "index"), "--json"], { env: NO_EDITOR, cwd: dir });
    expect((JSON.parse(viaIndex.stdout) as { candidates: Candidate[] }).candidates.map((c) => c.id)).toEqual(ids);
    await writeFile(config, JSON.stringify({ mining: { similarityThreshold: "high" } }));
    const bad = await runCli(["review", "--config", config], { env: NO_EDITOR });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`error [CONFIG_INVALID]: ${config}: mining.similarityThreshold: Expected number, received string`);
  });
});
