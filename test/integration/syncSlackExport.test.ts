import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredDoc } from "../../src/knowledge/KnowledgeStore.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { HybridRetriever } from "../../src/retrieval/HybridRetriever.js";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { runSync } from "../../src/sync/runSync.js";

interface Message {
  ts: string;
  thread_ts?: string;
  user: string;
  text: string;
  edited?: { user: string; ts: string };
}

const threads: Message[][] = [
  [
    { ts: "1714557600.000100", thread_ts: "1714557600.000100", user: "U1", text: "The desktop app uses all my upload bandwidth, can I cap it?" },
    { ts: "1714558200.000100", thread_ts: "1714557600.000100", user: "U2", text: "Yes: Preferences > Network > Limit upload rate." },
  ],
  [
    { ts: "1714561200.000100", thread_ts: "1714561200.000100", user: "U3", text: "How do I move my account to another email address?" },
    { ts: "1714561800.000100", thread_ts: "1714561200.000100", user: "U2", text: "Settings > Account > Change email, then confirm from both inboxes." },
  ],
  [
    { ts: "1714564800.000100", thread_ts: "1714564800.000100", user: "U1", text: "Is there a way to restore a file I deleted last week?" },
    { ts: "1714565400.000100", thread_ts: "1714564800.000100", user: "U2", text: "Open Trash on the web app; files stay there for 30 days." },
  ],
];

// The whole path a support team runs: a Slack export on disk -> sync (real connector, USE-lite,
// HNSW + BM25) -> the export changes (a thread deleted, a reply edited) -> re-sync changes exactly that.
describe("sync of a Slack export, then of its next version", () => {
  let work: string;
  const embedder = new UseLiteEmbedder();
  const writeExport = async (days: Message[][]) => {
    const dir = join(work, "export");
    await mkdir(join(dir, "support"), { recursive: true });
    await writeFile(join(dir, "users.json"), JSON.stringify(["U1:ana", "U2:sam", "U3:lee"].map((u) => ({ id: u.split(":")[0], name: u.split(":")[1], real_name: u.split(":")[1] }))));
    await writeFile(join(dir, "channels.json"), JSON.stringify([{ id: "C1", name: "support" }]));
    await writeFile(join(dir, "support", "2024-05-01.json"), JSON.stringify(days.flat()));
  };
  const sync = async () => {
    const sources = await configuredSources([{ connector: "slack-export", path: "export", supportUsers: ["U2"], baseUrl: "https://acme.slack.com" }], {
      configPath: "llamadesk.config.json",
      baseDir: work,
    });
    return (await runSync({ store: await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder, create: true }), embedder, sources })).results[0]!;
  };
  const docs = async () => new Map((await (await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder })).listDocs()).map((d): [string, StoredDoc] => [d.id, d]));

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-sync-slack-"));
  });
  afterAll(async () => {
    await embedder.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("re-sync after one thread is deleted and one reply edited changes exactly those two docs", async () => {
    await writeExport(threads);
    const first = await sync();
    expect(first.error).toBeUndefined();
    expect(first.counts).toMatchObject({ read: 3, added: 3 });
    const before = await docs();
    const ids = [...before.keys()].sort();
    expect(ids).toEqual(["slack:C1:1714557600.000100", "slack:C1:1714561200.000100", "slack:C1:1714564800.000100"]);

    const edited = structuredClone(threads);
    edited[1]![1] = { ...edited[1]![1]!, text: "Settings > Account > Change email; the link expires after 24 hours.", edited: { user: "U2", ts: "1714570000.000000" } };
    await writeExport([edited[1]!, edited[2]!]);
    const second = await sync();
    expect(second.counts).toMatchObject({ read: 2, added: 0, updated: 1, deleted: 1, unchanged: 1, chunksEmbedded: 1 });

    const after = await docs();
    expect(after.has("slack:C1:1714557600.000100")).toBe(false);
    expect(after.get("slack:C1:1714564800.000100")).toEqual(before.get("slack:C1:1714564800.000100"));
    expect(after.get("slack:C1:1714561200.000100")!.contentHash).not.toBe(before.get("slack:C1:1714561200.000100")!.contentHash);

    // Retrieval sees the change: the edit is searchable, the deleted thread is gone from vectors and BM25.
    const store = await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder });
    const retriever = new HybridRetriever({ store, embedder });
    const [top] = await retriever.retrieve("how long is the change-email link valid", { k: 1 });
    expect(top).toMatchObject({ docId: "slack:C1:1714561200.000100", url: "https://acme.slack.com/archives/C1/p1714561200000100" });
    expect(top!.text).toContain("expires after 24 hours");
    for (const mode of ["vector", "lexical"] as const) {
      const hits = await retriever.retrieve("cap upload bandwidth desktop app", { k: 5, mode });
      expect(hits.map((h) => h.docId)).not.toContain("slack:C1:1714557600.000100");
    }
  });
});
