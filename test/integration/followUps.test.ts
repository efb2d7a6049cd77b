import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaqFilesConnector } from "../../connectors/faq-files/index.js";
import { createBot, type Bot } from "../../src/bot.js";
import type { BotEvent } from "../../src/BotEvent.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { ingest } from "../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";

// Follow-ups on the default install: no chat model, so the rules rewrite them; real USE-lite embeddings and the
// real hybrid index. A follow-up that swaps a detail ("and to Australia?") must be answered about the new detail,
// not with the entry that fitted the previous question; one that leans on the previous question must keep it.

const SHOP_FAQ = join(import.meta.dirname, "../fixtures/shop-faq.md");

describe("follow-ups without a chat model", () => {
  const embedder = new UseLiteEmbedder();
  let sample: Bot;
  let shop: Bot;

  beforeAll(async () => {
    const prompts = await loadPrompts();
    const botOver = async (path: string, product: string) => {
      const knowledge = await LocalKnowledgeStore.open({ embedder });
      await ingest({ store: knowledge, embedder, connectors: [new FaqFilesConnector({ paths: [path] })] });
      // No handoff after abstentions: each pair is judged on its own answer.
      return createBot({ knowledge, embedder, store: new MemoryConversationStore(), prompts, policy: { product, handoffAfterAbstentions: 0 } });
    };
    sample = await botOver(SAMPLE_SOURCES_DIR, "Tidepool");
    shop = await botOver(SHOP_FAQ, "the shop");
  });
  afterAll(async () => {
    await embedder.dispose();
  });

  let conversations = 0;
  /** Asks `first`, then `followUp` in the same conversation; returns what the follow-up was answered from. */
  async function answerTo(bot: Bot, first: string, followUp: string) {
    const conversationId = `c${++conversations}`;
    for await (const _ of bot.ask({ conversationId, text: first }));
    const events: BotEvent[] = [];
    for await (const event of bot.ask({ conversationId, text: followUp })) events.push(event);
    const done = events.find((e) => e.type === "done");
    const abstained = events.find((e) => e.type === "abstained");
    const searched = events.find((e) => e.type === "sources")?.question;
    return {
      /** The entry given verbatim, when the bot answered. */
      answered: done?.type === "done" ? done.citations[0]?.title : undefined,
      answer: done?.type === "done" ? done.answer : undefined,
      /** The first entry the bot showed: the answer's source, or an abstention's closest match. */
      first: (done?.type === "done" ? done.sources : abstained?.type === "abstained" ? abstained.sources : [])[0]?.title,
      shown: (done?.type === "done" ? done.sources : abstained?.type === "abstained" ? abstained.sources : []).map((s) => s.title),
      searched,
    };
  }

  it("'and to Australia?' after a question about delivery to Germany is answered from the Australia entry", async () => {
    const out = await answerTo(shop, "How long until my order arrives in Germany?", "and to Australia?");
    expect(out.answered).toBe("Do you ship to Australia?");
    expect(out.answer).toMatch(/^Not yet\./);
    // The delivery times of the countries it does ship to are not offered as an answer about Australia.
    expect(out.shown).not.toContain("How long does shipping take?");
    expect(out.searched).toBe("How long until my order arrives to Australia?");
  });

  it("'what about the UK?' after shipping costs to Canada is answered from the UK entry", async () => {
    expect((await answerTo(shop, "How much does shipping cost to Canada?", "what about the UK?")).answered).toBe("Do you ship to the UK?");
  });

  // Pairs on the sample FAQ where the previous question's entry matched the rewritten follow-up best before.
  const swaps: [first: string, followUp: string, entry: string][] = [
    ["How do I connect Tidepool to Slack?", "and Microsoft Teams?", "Does Tidepool work with Microsoft Teams?"],
    ["How do I connect Tidepool to Slack?", "what about Zoom?", "Can Zoom cloud recordings be saved to Tidepool automatically?"],
    ["How do I turn on two-step verification?", "and single sign-on?", "How do we set up single sign-on with Okta or Microsoft Entra ID?"],
    ["Can I pay in euros instead of dollars?", "and with PayPal?", "Which payment methods do you accept?"],
    ["How do I share a folder with a coworker?", "and with someone who doesn't use Tidepool?", "Can I send a file to someone who doesn't use Tidepool?"],
    ["Can I connect Trello to Tidepool?", "and Zapier?", "What can I automate with Zapier?"],
    ["How do I connect Tidepool to Slack?", "and Trello?", "Can I connect Trello or Asana to Tidepool?"],
    ["Is there a limit on how many API calls I can make?", "and for webhooks?", "How do webhooks work?"],
    ["What plans are there?", "and for nonprofits?", "Do you offer discounts for nonprofits or schools?"],
  ];
  it.each(swaps)("%s → %s: the entry about the new detail comes first", async (first, followUp, entry) => {
    expect((await answerTo(sample, first, followUp)).first).toBe(entry);
  });

  // Follow-ups that only make sense with the previous question: its subject stays.
  const leaning: [first: string, followUp: string, entry: string][] = [
    ["How do I make a file online-only to save disk space?", "can I do that on Linux?", "Can I keep files in the cloud without taking up disk space?"],
    ["Where are the logs on Windows?", "and on Linux?", "How do I send my logs to support?"],
    ["How do I get an API key?", "how do I revoke it?", "How do I get an API key for the Tidepool API?"],
  ];
  it.each(leaning)("%s → %s: still answered about the previous question's subject", async (first, followUp, entry) => {
    expect((await answerTo(sample, first, followUp)).first).toBe(entry);
  });
});
