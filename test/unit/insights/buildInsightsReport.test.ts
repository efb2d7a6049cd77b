import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../../src/errors.js";
import { buildInsightsReport } from "../../../src/insights/buildInsightsReport.js";
import { gapIdOf } from "../../../src/insights/findCoverageGaps.js";
import { parseSince } from "../../../src/insights/parseSince.js";
import { ingest } from "../../../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../../../src/knowledge/LocalKnowledgeStore.js";
import { UseLiteEmbedder } from "../../../src/knowledge/UseLiteEmbedder.js";
import { MemoryHandoffTicketStore } from "../../../src/store/MemoryHandoffTicketStore.js";
import { SqliteConversationStore } from "../../../src/store/SqliteConversationStore.js";
import { ArrayConnector, faq } from "../../support/ArrayConnector.js";
import { scriptedWeek, week } from "../../support/scriptedWeek.js";

// The numbers of a scripted week (test/support/scriptedWeek.ts), each worked out by hand, on the real SQLite store.
let dir: string;
let store: SqliteConversationStore;
let tickets: MemoryHandoffTicketStore;
const span = { since: new Date(week.since), until: new Date(week.until) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llamadesk-insights-"));
  let t = new Date(0);
  store = await SqliteConversationStore.open({ path: join(dir, "conversations.sqlite"), now: () => t });
  await scriptedWeek(store, (iso) => (t = new Date(iso)));
  // c7 was answered, then the customer filed a ticket: not deflected.
  tickets = new MemoryHandoffTicketStore({ now: () => new Date("2024-05-12T23:59:30.000Z") });
  await tickets.create({ conversationId: "c7", name: "Ada", email: "ada@example.com", message: "Still no invoice." });
});

afterAll(async () => {
  await store.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("buildInsightsReport", () => {
  it("counts the week: questions by outcome and mode, deflection, votes and timing percentiles", async () => {
    const report = await buildInsightsReport({ store, tickets, ...span });
    expect(report.period).toEqual({ since: week.since, until: week.until, unit: "day", channel: null });
    expect(report.totals).toEqual({
      asked: 8,
      answered: 4,
      answeredVerbatim: 3,
      answeredByModel: 1,
      answeredRelated: 0,
      abstained: 2,
      handedOff: 2,
      handedOffOnRequest: 1,
      handedOffAfterAbstaining: 1,
      conversations: 7,
      deflected: 3, // c1, c4, c6; c7 ended in a ticket, c2 and c3 in a handoff, c5 was never answered
      deflectionRate: 3 / 7,
      resolved: 1,
      thumbsUp: 1,
      thumbsDown: 1,
      ttftMsP50: 14, // of 10, 14, 120, 850
      ttftMsP90: 850,
      totalMsP50: 40, // of 12, 15, 30, 40, 55, 1200, 2400
      totalMsP90: 2400,
    });
  });

  it("without the tickets, an answered conversation that ended in a ticket counts as deflected", async () => {
    const report = await buildInsightsReport({ store, ...span });
    expect(report.totals.deflected).toBe(4);
  });

  it("gives every day of the span, the quiet ones as zeros, and each channel busiest first", async () => {
    const report = await buildInsightsReport({ store, tickets, ...span });
    expect(report.byPeriod.map((p) => [p.period, p.asked, p.conversations, p.deflectionRate])).toEqual([
      ["2024-05-06", 5, 4, 0.5],
      ["2024-05-07", 2, 2, 0.5],
      ["2024-05-08", 0, 0, null],
      ["2024-05-09", 0, 0, null],
      ["2024-05-10", 0, 0, null],
      ["2024-05-11", 0, 0, null],
      ["2024-05-12", 1, 1, 0],
    ]);
    expect(report.byPeriod[2]).toMatchObject({ ttftMsP50: null, totalMsP90: null, thumbsUp: 0 });
    expect(report.byChannel.map((c) => [c.channel, c.asked, c.deflected, c.thumbsDown])).toEqual([
      ["web", 5, 1, 0],
      ["slack", 2, 1, 1],
      ["discord", 1, 1, 0],
    ]);
    const weekly = await buildInsightsReport({ store, tickets, ...span, period: "week" });
    expect(weekly.byPeriod).toEqual([{ period: "2024-05-06", ...weekly.totals }]);
  });

  it("keeps to one channel when asked", async () => {
    const report = await buildInsightsReport({ store, tickets, ...span, channel: "slack" });
    expect(report.period.channel).toBe("slack");
    expect(report.totals).toMatchObject({ asked: 2, answered: 1, handedOffOnRequest: 1, conversations: 2, deflected: 1, deflectionRate: 0.5, thumbsDown: 1 });
    expect(report.byChannel.map((c) => c.channel)).toEqual(["slack"]);
    expect(report.gaps.map((g) => g.examples)).toEqual([["Where are my invoices?"]]);
  });

  it("without an embedder, lists each failed wording as a gap, biggest first, with a stable id", async () => {
    const report = await buildInsightsReport({ store, tickets, ...span });
    expect(report.gaps).toEqual([
      {
        id: gapIdOf("Can I pay in bitcoin?"),
        size: 2,
        count: 2,
        examples: ["Can I pay in bitcoin?"],
        channels: ["web"],
        abstained: 2,
        handedOff: 0,
        thumbsDown: 0,
        lastAskedAt: "2024-05-07T08:00:00.000Z",
        closestEntry: null,
      },
      expect.objectContaining({ examples: ["Where are my invoices?"], size: 1, thumbsDown: 1, channels: ["slack"] }),
      expect.objectContaining({ examples: ["bitcoin please"], size: 1, handedOff: 1 }),
    ]);
    expect(gapIdOf("  can i PAY in bitcoin?")).toBe(report.gaps[0]!.id);
    expect((await buildInsightsReport({ store, ...span, gaps: 1 })).gaps).toHaveLength(1);
  });

  it("ranks content: most cited, most down-voted relative to use", async () => {
    const { entries } = await buildInsightsReport({ store, ...span });
    expect(entries.mostCited.map((e) => [e.id, e.answered, e.thumbsUp, e.thumbsDown])).toEqual([
      ["faq-refunds", 3, 1, 1],
      ["faq-invoices", 2, 0, 1],
    ]);
    expect(entries.mostDownvoted.map((e) => [e.id, e.downRate])).toEqual([
      ["faq-invoices", 0.5],
      ["faq-refunds", 1 / 3],
    ]);
    expect(entries.neverRetrieved).toBeNull();
  });

  it("clusters with the embedder, and names each gap's closest entry and the entries never retrieved", async () => {
    const embedder = new UseLiteEmbedder();
    const knowledge = await LocalKnowledgeStore.open({ embedder });
    await ingest({
      store: knowledge,
      embedder,
      connectors: [
        new ArrayConnector([
          faq("faq-invoices", "Where can I download my invoices?", "Open Billing > Invoices and choose Download.", 1),
          faq("faq-refunds", "How do refunds work?", "Refunds reach your card within 5 days.", 5),
          faq("faq-android", "Is there an Android app?", "Yes: search for Tidepool in Google Play.", 9),
        ]),
      ],
    });
    try {
      const report = await buildInsightsReport({ store, tickets, embedder, knowledge, ...span });
      const invoices = report.gaps.find((g) => g.examples.includes("Where are my invoices?"));
      expect(invoices?.closestEntry).toMatchObject({ id: "faq-invoices", title: "Where can I download my invoices?" });
      expect(invoices!.closestEntry!.similarity).toBeGreaterThan(0.5);
      expect(report.gaps.flatMap((g) => g.examples).sort()).toEqual(["Can I pay in bitcoin?", "Where are my invoices?", "bitcoin please"]);
      expect(report.entries.neverRetrieved?.map((e) => e.id)).toEqual(["faq-android"]);
      // The same history gives the same gaps.
      expect((await buildInsightsReport({ store, tickets, embedder, knowledge, ...span })).gaps).toEqual(report.gaps);
    } finally {
      await knowledge.dispose();
      await embedder.dispose();
    }
  });
});

describe("parseSince", () => {
  const now = new Date("2024-05-13T12:00:00.000Z");
  it("reads days, hours, dates and ISO times", () => {
    expect(parseSince("7d", now).toISOString()).toBe("2024-05-06T12:00:00.000Z");
    expect(parseSince("30d", now).toISOString()).toBe("2024-04-13T12:00:00.000Z");
    expect(parseSince("24h", now).toISOString()).toBe("2024-05-12T12:00:00.000Z");
    expect(parseSince("2024-05-01", now).toISOString()).toBe("2024-05-01T00:00:00.000Z");
    expect(parseSince("2024-05-01T08:30:00Z", now).toISOString()).toBe("2024-05-01T08:30:00.000Z");
  });

  it("refuses anything else, and the future, saying what it takes", () => {
    for (const bad of ["last week", "7", "d7", "2024-13-45", "2024-06-01"]) {
      const error = (() => {
        try {
          parseSince(bad, now);
        } catch (e) {
          return e;
        }
      })();
      expect(isLlamadeskError(error, "INVALID_OPTION"), bad).toBe(true);
      expect((error as Error).message).toContain("--since");
    }
  });
});
