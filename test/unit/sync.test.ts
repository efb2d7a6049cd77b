import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { LlamadeskError } from "../../src/errors.js";
import { planIngest } from "../../src/knowledge/ingest.js";
import { acquireWriterLock } from "../../src/knowledge/writerLock.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { configuredSources } from "../../src/sync/configuredSources.js";
import { listConnectors, loadConnectorDefinition } from "../../src/sync/connectorRegistry.js";
import { parseInterval } from "../../src/sync/parseInterval.js";
import { runSync } from "../../src/sync/runSync.js";
import { FakeEmbedder } from "../../src/testing/FakeEmbedder.js";
import type { PullOptions, SourceDoc } from "../../src/types.js";
import { ArrayConnector, faq } from "../support/ArrayConnector.js";

/**
 * A live source in memory, like a chat API: it remembers what it is given as state, and
 * records the state each pull received, so tests can check what a sync resumes from.
 */
class FakeLiveSource {
  docs = new Map<string, SourceDoc>();
  pulls: { state: unknown }[] = [];
  failWith: Error | undefined;

  definition(name = "fake-live"): ConnectorDefinition<{ channel: string; tokenEnv?: string }> {
    return {
      name,
      options: z.object({ channel: z.string(), tokenEnv: z.string().optional() }).strict(),
      create: (options, context) => {
        const token = context.env(options.tokenEnv ?? "FAKE_TOKEN");
        if (!token) throw new LlamadeskError("SOURCE_CONFIG_INVALID", `${name}: set ${options.tokenEnv ?? "FAKE_TOKEN"}`);
        const source = this;
        return {
          name,
          origin: options.channel,
          async *pull(pull: PullOptions = {}) {
            source.pulls.push({ state: pull.state });
            if (source.failWith) throw new Error(`${source.failWith.message} (token ${token})`);
            yield* source.docs.values();
            pull.saveState?.({ cursor: source.docs.size });
          },
        };
      },
    };
  }
}

const thread = (id: string, question: string, answer: string): ChatThread => ({
  id,
  platform: "test",
  channel: "#help",
  url: `https://chat.example/${id}`,
  messages: [
    { id: "1", author: "ana", role: "customer", text: question },
    { id: "2", author: "sam", role: "agent", text: answer, reactions: ["white_check_mark"] },
  ],
});

describe("sync", () => {
  let dir: string;
  const embedder = new FakeEmbedder();
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "llamadesk-sync-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function sourcesFor(defs: Record<string, ConnectorDefinition<never>>, entries: Record<string, unknown>[], env: Record<string, string>) {
    const secrets = new Set<string>();
    const sources = await configuredSources(entries, {
      configPath: "llamadesk.config.json",
      baseDir: dir,
      env: (name) => env[name],
      load: async (name) => defs[name] ?? (await loadConnectorDefinition(name)),
      onSecret: (value) => secrets.add(value),
    });
    return { sources, secrets };
  }

  it("resumes each source from the state it saved, kept in the index across saves (also by a plain ingest save)", async () => {
    const live = new FakeLiveSource();
    live.docs.set("a", faq("a", "How do I reset my password?", "Use the reset link."));
    const { sources } = await sourcesFor({ "fake-live": live.definition() as ConnectorDefinition<never> }, [{ connector: "fake-live", channel: "C1" }], { FAKE_TOKEN: "t0k" });

    const first = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources });
    expect(first.results[0]).toMatchObject({ name: "fake-live", counts: { read: 1, added: 1 } });
    expect(live.pulls[0]!.state).toBeUndefined();

    // Something else saves the index in between (e.g. `llamadesk ingest`): the cursor survives.
    const index = await LocalKnowledgeStore.open({ dir, embedder });
    await index.apply({});

    live.docs.set("b", faq("b", "Can I export to CSV?", "Yes, from Settings."));
    const second = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources });
    expect(live.pulls[1]!.state).toEqual({ cursor: 1 });
    expect(second.results[0]!.counts).toMatchObject({ read: 2, added: 1, unchanged: 1 });
    expect(await (await LocalKnowledgeStore.open({ dir, embedder })).syncState()).toEqual({ "fake-live": { cursor: 2 } });

    const full = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources, full: true });
    expect(live.pulls[2]!.state).toBeUndefined();
    expect(full.results[0]!.counts).toMatchObject({ read: 2, unchanged: 2 });
  });

  it("deletes what a source no longer has, and re-embeds only what changed", async () => {
    const live = new FakeLiveSource();
    for (const t of [thread("t1", "App crashes on start", "Update to 2.1."), thread("t2", "Invoice missing", "Check the billing tab.")]) live.docs.set(t.id, chatThreadToSourceDoc(t));
    const { sources } = await sourcesFor({ "fake-live": live.definition() as ConnectorDefinition<never> }, [{ connector: "fake-live", channel: "C1" }], { FAKE_TOKEN: "x" });
    await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources });

    live.docs.delete("t1");
    live.docs.set("t2", chatThreadToSourceDoc(thread("t2", "Invoice missing", "Check the billing tab, then Invoices.")));
    const run = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources });
    expect(run.results[0]!.counts).toMatchObject({ read: 1, added: 0, updated: 1, deleted: 1, unchanged: 0 });
    const index = await LocalKnowledgeStore.open({ dir, embedder });
    const [t1, t2] = await index.getDocs(["t1", "t2"]);
    expect(t1).toBeUndefined();
    expect((await index.getPassages(["t2"]))[0]?.text).toContain("then Invoices.");
    // The thread itself rides along for mining but is never stored in the index.
    expect(t2).not.toHaveProperty("thread");
    expect(t2).toMatchObject({ kind: "chat", url: "https://chat.example/t2" });
  });

  it("a failing source keeps its docs and cursor, the others still sync, and its credential never shows", async () => {
    const good = new FakeLiveSource();
    const bad = new FakeLiveSource();
    good.docs.set("g", faq("g", "Where is my order?", "Track it in Orders."));
    bad.docs.set("b", faq("b", "Do you ship abroad?", "Yes, to 40 countries."));
    const defs = { good: good.definition("good"), bad: bad.definition("bad") } as Record<string, ConnectorDefinition<never>>;
    const entries = [
      { connector: "bad", channel: "C2", tokenEnv: "BAD_TOKEN" },
      { connector: "good", channel: "C1" },
    ];
    const { sources, secrets } = await sourcesFor(defs, entries, { FAKE_TOKEN: "good-secret", BAD_TOKEN: "xoxb-very-secret" });
    await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources, secrets: () => secrets });

    bad.failWith = new Error("invalid_auth");
    good.docs.set("g2", faq("g2", "Can I change my address?", "Yes, before shipping."));
    const run = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources, secrets: () => secrets });
    expect(run.results[0]).toMatchObject({ name: "bad", error: { code: "UNEXPECTED" } });
    expect(run.results[0]!.error!.message).toContain("invalid_auth (token ***)");
    expect(JSON.stringify(run)).not.toContain("xoxb-very-secret");
    expect(run.results[1]).toMatchObject({ name: "good", counts: { added: 1 } });
    const index = await LocalKnowledgeStore.open({ dir, embedder });
    expect((await index.getDocs(["b"]))[0]).toBeDefined();
    expect((await index.syncState()).bad).toEqual({ cursor: 1 });

    // An unset credential variable is that source's failure, named, not a crash.
    const { sources: unset } = await sourcesFor(defs, [{ connector: "bad", channel: "C2", tokenEnv: "NOT_SET" }], {});
    const third = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources: unset });
    expect(third.results[0]!.error).toEqual({ code: "SOURCE_CONFIG_INVALID", message: "bad: set NOT_SET" });
  });

  it("an interrupted run saves the sources that finished", async () => {
    const first = new FakeLiveSource();
    const second = new FakeLiveSource();
    first.docs.set("f", faq("f", "Is there a free trial?", "Yes, 14 days."));
    second.docs.set("s", faq("s", "How do I cancel?", "From Billing."));
    const controller = new AbortController();
    const defs = { one: first.definition("one"), two: second.definition("two") } as Record<string, ConnectorDefinition<never>>;
    const { sources } = await sourcesFor(defs, [{ connector: "one", channel: "A" }, { connector: "two", channel: "B" }], { FAKE_TOKEN: "x" });
    await expect(runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources, signal: controller.signal, onSourceDone: () => controller.abort() })).rejects.toThrow();
    const index = await LocalKnowledgeStore.open({ dir, embedder });
    expect((await index.getDocs(["f"]))[0]).toBeDefined();
    expect((await index.getDocs(["s"]))[0]).toBeUndefined();
    expect(await index.syncState()).toEqual({ one: { cursor: 1 } });
  });

  it("checks every source entry before running, naming the entry and field", async () => {
    const live = new FakeLiveSource();
    const defs = { "fake-live": live.definition() as ConnectorDefinition<never> };
    await expect(sourcesFor(defs, [{ connector: "fake-live", channel: "C1" }, { connector: "fake-live" }], {})).rejects.toThrow(
      /llamadesk\.config\.json: sources\.1\.channel: Required \(connector "fake-live"/,
    );
    await expect(sourcesFor(defs, [{ connector: "fake-live", channel: "C1", chanel: "typo" }], {})).rejects.toThrow(/sources\.0\.chanel: Unrecognized key/);
    await expect(sourcesFor(defs, [{ channel: "C1" }], {})).rejects.toThrow(/sources\.0\.connector: required/);
    await expect(sourcesFor(defs, [{ connector: "slak-export" }], {})).rejects.toThrow(/Unknown connector "slak-export"\. Known connectors: .*faq-files/);
    await expect(sourcesFor(defs, [{ connector: "fake-live", channel: "A", name: "x" }, { connector: "fake-live", channel: "B", name: "x" }], {})).rejects.toThrow(
      /sources\.1\.name: "x" is used by another source/,
    );
    const { sources } = await sourcesFor(defs, [{ connector: "fake-live", channel: "A" }, { connector: "fake-live", channel: "B" }], {});
    expect(sources.map((s) => s.name)).toEqual(["fake-live#1", "fake-live#2"]);
  });

  it("builds shipped connectors from their definitions (faq-files, paths relative to the config file)", async () => {
    expect(await listConnectors()).toContain("faq-files");
    await writeFile(join(dir, "faq.md"), "# How do I log in?\nWith your email.\n");
    const { sources } = await sourcesFor({}, [{ connector: "faq-files", paths: ["faq.md"] }], {});
    const run = await runSync({ store: await LocalKnowledgeStore.open({ dir: join(dir, "index"), embedder, create: true }), embedder, sources });
    expect(run.results[0]).toMatchObject({ name: "faq-files", counts: { read: 1, added: 1 } });
  });

  it("holds the index's writer lock from before it loads the index: waits for another writer and keeps what it saved", async () => {
    const live = new FakeLiveSource();
    live.docs.set("a", faq("a", "How do I reset my password?", "Use the reset link."));
    const { sources } = await sourcesFor({ "fake-live": live.definition() as ConnectorDefinition<never> }, [{ connector: "fake-live", channel: "C1" }], { FAKE_TOKEN: "t0k" });
    const other = await acquireWriterLock(dir, { command: "llamadesk ingest" });

    const store = await LocalKnowledgeStore.open({ dir, embedder, create: true });
    await expect(runSync({ store, embedder, sources, wait: false })).rejects.toMatchObject({ code: "INDEX_LOCKED", message: expect.stringContaining("llamadesk ingest (pid") });
    let waiting!: () => void;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    const run = runSync({ store, embedder, sources, onWait: () => waiting() });
    await waited;
    expect(live.pulls).toHaveLength(0);

    // The other writer saves while the sync waits; the sync then starts from what it saved.
    const elsewhere = await LocalKnowledgeStore.open({ dir, embedder, create: true });
    const { changes } = await planIngest({ store: elsewhere, embedder, connectors: [new ArrayConnector([faq("b", "Can I export to CSV?", "Yes, from Settings.")])] });
    await elsewhere.apply(changes);
    await other.release();
    await run;
    const after = await LocalKnowledgeStore.open({ dir, embedder });
    expect((await after.listDocs()).map((d) => d.id).sort()).toEqual(["a", "b"]);
  });

  it("parses schedules", () => {
    expect(parseInterval("15m")).toBe(900_000);
    expect(parseInterval("30s")).toBe(30_000);
    expect(parseInterval("1.5h")).toBe(5_400_000);
    expect(() => parseInterval("5s")).toThrow(/at least 10s/);
    expect(() => parseInterval("15")).toThrow(/like 30s, 15m/);
  });
});

describe("sync of two sources of one connector", () => {
  it("never lets one source delete the other's docs, even when the connectors report the same origin", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-sync-two-"));
    try {
      const a = new FakeLiveSource();
      const b = new FakeLiveSource();
      a.docs.set("a1", faq("a1", "How do I pair a device?", "Scan the QR code."));
      b.docs.set("b1", faq("b1", "How do I rename a device?", "Long-press its name."));
      // Both connectors report origin "same".
      const defs: Record<string, ConnectorDefinition<never>> = { a: a.definition("live") as ConnectorDefinition<never>, b: b.definition("live") as ConnectorDefinition<never> };
      const sources = await configuredSources(
        [
          { connector: "a", name: "workspace-a", channel: "same" },
          { connector: "b", name: "workspace-b", channel: "same" },
        ],
        { configPath: "c.json", baseDir: dir, env: () => "t", load: async (name) => defs[name]! },
      );
      const embedder = new FakeEmbedder();
      await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources });
      const second = await runSync({ store: await LocalKnowledgeStore.open({ dir: dir, embedder, create: true }), embedder, sources });
      expect(second.results.map((r) => r.counts?.deleted)).toEqual([0, 0]);
      const index = await LocalKnowledgeStore.open({ dir, embedder });
      expect((await index.listDocs()).map((d) => [d.id, d.origin]).sort()).toEqual([
        ["a1", "live:workspace-a@same"],
        ["b1", "live:workspace-b@same"],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
