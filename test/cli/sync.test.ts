import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { CLI, runCli } from "../support/runCli.js";

interface RunSummary {
  index: string;
  docs: number;
  results: { name: string; connector: string; counts?: Record<string, number>; error?: { code: string; message: string } }[];
}

const faqFile = (entries: [string, string][]) => entries.map(([q, a]) => `# ${q}\n${a}\n`).join("\n");

describe("llamadesk sync (built bin)", () => {
  let work: string;
  const config = (sources: unknown[]) => writeFile(join(work, "llamadesk.config.json"), JSON.stringify({ index: "index", sources }));
  const sync = async (...args: string[]) => {
    const result = await runCli(["sync", ...args], { cwd: work, env: { LLAMADESK_CONFIG: "" } });
    return { ...result, runs: result.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as RunSummary) };
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-cli-"));
    await mkdir(join(work, "faq"));
    await mkdir(join(work, "chats"));
    await writeFile(
      join(work, "faq", "billing.md"),
      faqFile([
        ["How do I get a refund?", "Ask within 30 days from Billing > Refunds."],
        ["Can I pay by invoice?", "Yes, on the yearly plan."],
      ]),
    );
    await writeFile(
      join(work, "chats", "transcripts.jsonl"),
      `${JSON.stringify({ id: "c1", messages: [{ role: "customer", text: "My export to CSV is empty" }, { role: "agent", text: "Pick a date range first, then export." }], resolved: true })}\n`,
    );
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("syncs every configured source, then only what changed; a deleted entry leaves the index", async () => {
    await config([
      { connector: "faq-files", paths: ["faq"] },
      { connector: "transcripts", name: "helpdesk", paths: ["chats"] },
    ]);
    const first = await sync("--json");
    expect(first.code, first.stderr).toBe(0);
    expect(first.runs[0]!.results.map((r) => [r.name, r.counts?.added])).toEqual([
      ["faq-files", 2],
      ["helpdesk", 1],
      ["reviewed-faq", 0],
    ]);

    await writeFile(join(work, "faq", "billing.md"), faqFile([["How do I get a refund?", "Ask within 14 days from Billing > Refunds."]]));
    const second = await sync("--json");
    expect(second.code, second.stderr).toBe(0);
    expect(second.runs[0]!.results[0]!.counts).toMatchObject({ read: 1, added: 0, updated: 1, deleted: 1, unchanged: 0 });
    expect(second.runs[0]!.results[1]!.counts).toMatchObject({ read: 1, unchanged: 1 });
    const index = await LocalKnowledgeStore.open({ dir: join(work, "index") });
    expect((await index.counts()).docs).toBe(2);
    expect((await index.listDocs()).map((d) => d.title).sort()).toEqual(["How do I get a refund?", "My export to CSV is empty"]);
    // The resolved transcript was mined once, on the first sync, into the review queue beside the index.
    expect(first.runs[0]!.results[1]!.extra).toEqual({ "new candidate(s)": 1, merged: 0 });
    expect(second.runs[0]!.results[1]!.extra).toEqual({ "new candidate(s)": 0, merged: 0 });

    // Approved in review, the candidate becomes FAQ knowledge at the next sync, linked to its thread.
    const listed = await runCli(["review", "--json"], { cwd: work, env: { LLAMADESK_CONFIG: "" } });
    const [candidate] = (JSON.parse(listed.stdout) as { candidates: { id: string; question: string; answer: string }[] }).candidates;
    expect(candidate).toMatchObject({ question: expect.stringContaining("export to CSV is empty"), answer: "Pick a date range first, then export." });
    expect((await runCli(["review", "--approve", candidate!.id, "--question", "Why is my CSV export empty?"], { cwd: work, env: { LLAMADESK_CONFIG: "" } })).code).toBe(0);
    const third = await sync("--json");
    expect(third.runs[0]!.results[2]).toMatchObject({ name: "reviewed-faq", counts: { read: 1, added: 1 } });
    const reviewed = (await (await LocalKnowledgeStore.open({ dir: join(work, "index") })).listDocs()).find((d) => d.id === `reviewed:${candidate!.id}`);
    expect(reviewed).toMatchObject({ kind: "faq", title: "Why is my CSV export empty?", tags: ["from-chat"] });

    // The human-readable summary: one line per source.
    const plain = await sync();
    expect(plain.stdout).toMatch(/faq-files\s+1 docs: 0 added, 0 updated, 0 deleted, 1 unchanged, 0 problem\(s\)/);
    expect(plain.stderr).toContain("Syncing helpdesk (transcripts)...");
  });

  it("a source that fails is reported and exits 1, the others still sync; a config mistake names the field", async () => {
    await config([
      { connector: "faq-files", paths: ["no-such-folder"] },
      { connector: "transcripts", name: "helpdesk", paths: ["chats"] },
    ]);
    const result = await sync("--json");
    expect(result.code).toBe(1);
    expect(result.runs[0]!.results[0]).toMatchObject({ name: "faq-files", error: { code: "SOURCE_NOT_FOUND" } });
    expect(result.runs[0]!.results[1]!.error).toBeUndefined();

    await config([{ connector: "faq-files", path: "faq" }]);
    const bad = await sync();
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error \[SOURCE_CONFIG_INVALID\]: .*llamadesk\.config\.json: sources\.0(\.paths)?: /);

    await writeFile(join(work, "llamadesk.config.json"), JSON.stringify({ index: "index" }));
    const none = await sync();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("lists no sources");
  });

  it("--every keeps syncing until interrupted, then exits cleanly", async () => {
    await config([{ connector: "faq-files", paths: ["faq"] }]);
    const child = spawn(process.execPath, [CLI, "sync", "--every", "10s", "--json"], { cwd: work, env: { ...process.env, LLAMADESK_INDEX: "", LLAMADESK_CONFIG: "" } });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const firstRun = new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("\n")) resolve();
      }),
    );
    await firstRun;
    await new Promise((r) => setTimeout(r, 300));
    expect(stderr).toMatch(/Next sync at .* \(Ctrl-C to stop\)/);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect((JSON.parse(stdout.split("\n")[0]!) as RunSummary).results[0]!.counts).toMatchObject({ read: 1 });
  });
});
