import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import type { Bot } from "../../src/bot.js";
import type { BotEvent } from "../../src/BotEvent.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { createLocalBot } from "../../src/presets/createLocalBot.js";

async function answer(bot: Bot, conversationId: string, text: string): Promise<BotEvent> {
  for await (const event of bot.ask({ conversationId, text })) if (["done", "abstained", "handoff", "error"].includes(event.type)) return event;
  throw new Error("no final event");
}

// A long-running bot (Slack, Discord, web) answers from what a sync saved, without a restart.
describe("createLocalBot picks up a newer index on disk", () => {
  let work: string;
  let bot: Bot;
  const reloads: ({ docs: number } | { error: Error })[] = [];
  const embedder = new UseLiteEmbedder();
  const writeFaq = (entries: string) => writeFile(join(work, "faq.md"), entries);
  const ingestAndSave = async () => {
    // Another process's ingest, as far as the bot can tell: its own store on the same directory.
    const store = await LocalKnowledgeStore.open({ dir: join(work, "index"), embedder, create: true });
    await ingest({ store, embedder, connectors: [new FaqFilesConnector({ paths: [join(work, "faq.md")] })] });
    await store.dispose();
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-reload-"));
    await writeFaq("# How do I reset my password?\nUse the Forgot password link on the sign-in page.\n");
    await ingestAndSave();
    bot = await createLocalBot({ index: join(work, "index"), model: false, store: ":memory:", reloadIndexEveryMs: 50, onIndexReload: (e) => reloads.push(e) });
  }, 120_000);
  afterAll(async () => {
    await bot?.dispose();
    await embedder.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it("answers from the new generation once it is saved, and reports the reload", async () => {
    const question = "Which payment cards do you accept for the subscription?";
    expect((await answer(bot, "c1", question)).type).toBe("abstained");

    await writeFaq(
      "# How do I reset my password?\nUse the Forgot password link on the sign-in page.\n\n" +
        "# Which payment cards do you accept?\nWe accept Visa, Mastercard and American Express for every subscription.\n",
    );
    await ingestAndSave();
    await expect.poll(() => reloads.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(reloads[0]).toEqual({ docs: 2 });

    const after = await answer(bot, "c2", question);
    expect(after).toMatchObject({ type: "done", mode: "extractive" });
    expect(after.type === "done" && after.answer).toContain("Visa, Mastercard");
  });
});
