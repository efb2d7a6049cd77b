import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot, type Bot } from "../../src/bot.js";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import type { InsightsReport } from "../../src/insights/InsightsReport.js";
import { LocalKnowledgeStore } from "../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import { SqliteConversationStore } from "../../src/store/SqliteConversationStore.js";
import { runCli } from "../support/runCli.js";

// `llamadesk report` as a user runs it (the built bin), on conversations the bot itself recorded.
let dir: string;
let index: string;
let store: string;

async function ask(bot: Bot, conversationId: string, text: string, channel: string): Promise<string | undefined> {
  let turnId: string | undefined;
  for await (const event of bot.ask({ conversationId, text, channel, user: "U1" })) {
    if (event.type === "done" || event.type === "abstained") turnId = event.turnId;
    if (event.type === "error") throw new Error(event.message);
  }
  return turnId;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llamadesk-report-"));
  index = join(dir, "index");
  store = join(dir, "conversations.sqlite");
  const ingested = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", index]);
  expect(ingested.code, ingested.stderr).toBe(0);
  const embedder = new UseLiteEmbedder();
  const bot = createBot({
    knowledge: await LocalKnowledgeStore.open({ dir: index, embedder }),
    embedder,
    store: await SqliteConversationStore.open({ path: store }),
    prompts: await loadPrompts(),
    policy: { product: "Tidepool" },
  });
  try {
    expect(await ask(bot, "w1", "How do I stop Tidepool from using all my bandwidth?", "web")).toBeDefined();
    await ask(bot, "w2", "What is the airspeed velocity of an unladen swallow?", "web");
    const answered = await ask(bot, "s1", "How do I stop Tidepool from using all my bandwidth?", "slack");
    await bot.feedback({ turnId: answered!, userId: "U1", vote: "down" });
    await ask(bot, "s2", "I want to talk to a human", "slack");
  } finally {
    await bot.dispose();
  }
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("llamadesk report", () => {
  it("prints the numbers, the gaps and content performance as one JSON object", async () => {
    const result = await runCli(["report", "--json", "--index", index, "--store", store, "--since", "1d"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as InsightsReport;
    expect(report.period).toMatchObject({ unit: "day", channel: null });
    expect(report.totals).toMatchObject({
      asked: 4,
      answered: 2,
      answeredVerbatim: 2,
      abstained: 1,
      handedOff: 1,
      handedOffOnRequest: 1,
      conversations: 4,
      deflected: 2, // w1 and s1 (a 👎 is not an escalation)
      deflectionRate: 0.5,
      thumbsUp: 0,
      thumbsDown: 1,
    });
    expect(report.totals.ttftMsP50).toBeGreaterThan(0);
    expect(report.totals.totalMsP90).toBeGreaterThanOrEqual(report.totals.totalMsP50!);
    expect(report.byChannel.map((c) => [c.channel, c.asked])).toEqual([
      ["slack", 2],
      ["web", 2],
    ]);
    const swallow = report.gaps.find((g) => g.examples.includes("What is the airspeed velocity of an unladen swallow?"));
    expect(swallow).toMatchObject({ size: 1, abstained: 1, channels: ["web"] });
    expect(swallow!.closestEntry).not.toBeNull();
    const bandwidth = report.gaps.find((g) => g.examples.includes("How do I stop Tidepool from using all my bandwidth?"));
    expect(bandwidth).toMatchObject({ thumbsDown: 1, channels: ["slack"] });
    expect(report.entries.mostCited[0]).toMatchObject({ answered: 2, thumbsDown: 1, downRate: 0.5 });
    expect(report.entries.neverRetrieved!.length).toBeGreaterThan(0);
    expect(report.entries.neverRetrieved!.map((e) => e.id)).not.toContain(report.entries.mostCited[0]!.id);
  }, 180_000);

  it("keeps to one channel, and prints a table in the terminal", async () => {
    const json = await runCli(["report", "--json", "--index", index, "--store", store, "--channel", "slack"]);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as InsightsReport).totals).toMatchObject({ asked: 2, answered: 1, handedOff: 1, conversations: 2 });
    const text = await runCli(["report", "--index", index, "--store", store]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("Deflection rate 50% (2 of 4 conversations");
    expect(text.stdout).toContain("What is the airspeed velocity of an unladen swallow?");
    expect(text.stdout).toMatch(/^Channel\s+asked/m);
  }, 180_000);

  it("says what is wrong with --since, and with a store that is not there", async () => {
    const since = await runCli(["report", "--index", index, "--store", store, "--since", "last week"]);
    expect(since.code).toBe(1);
    expect(since.stderr).toContain("error [INVALID_OPTION]: --since must be");
    const missing = await runCli(["report", "--index", index, "--store", join(dir, "nope.sqlite")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No conversation store at");
  }, 180_000);
});
