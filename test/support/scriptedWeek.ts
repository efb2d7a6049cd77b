import type { ConversationStore, NewTurn, TurnSource } from "../../src/store/ConversationStore.js";

/** The span of the scripted week: Monday 6 May 2024 to the next Monday (exclusive). */
export const week = { since: "2024-05-06T00:00:00.000Z", until: "2024-05-13T00:00:00.000Z" };

/** A scripted week of support, with every count worked out by hand (see the expectations below). */
export async function scriptedWeek(store: ConversationStore, setTime: (iso: string) => void): Promise<void> {
  const refunds: TurnSource = { id: "faq-refunds", title: "How do refunds work?", source: "faq/billing.md:12", score: 0.9 };
  const invoices: TurnSource = { id: "faq-invoices", title: "Where are my invoices?", source: "faq/billing.md:30", score: 0.8 };
  const exchange = async (at: string, id: string, channel: string, question: string, reply: Omit<NewTurn, "conversationId" | "role">) => {
    setTime(at);
    await store.appendTurn({ conversationId: id, role: "user", text: question, channel, user: `U-${id}` });
    return store.appendTurn({ conversationId: id, role: "assistant", ...reply });
  };
  const c1 = await exchange("2024-05-06T09:00:00.000Z", "c1", "web", "How do refunds work?", {
    text: "Refunds take 5 days.",
    outcome: "answered",
    mode: "extractive",
    sources: [refunds],
    timeToFirstTokenMs: 10,
    totalMs: 12,
  });
  await store.recordFeedback({ turnId: c1.id, userId: "U1", vote: "up" });
  await exchange("2024-05-06T10:00:00.000Z", "c2", "web", "Can I pay in bitcoin?", { text: "Sorry.", outcome: "abstained", sources: [invoices], totalMs: 30 });
  await exchange("2024-05-06T10:01:00.000Z", "c2", "web", "bitcoin please", { text: "A human will help.", outcome: "handoff", handoffReason: "repeated-abstentions", sources: [], totalMs: 40 });
  await exchange("2024-05-06T11:00:00.000Z", "c3", "slack", "I want a human", { text: "A human will help.", outcome: "handoff", handoffReason: "user-request" });
  const c4 = await exchange("2024-05-06T12:00:00.000Z", "c4", "slack", "Where are my invoices?", {
    text: "Under Billing [1], refunds [2].",
    outcome: "answered",
    mode: "generative",
    sources: [invoices, refunds],
    timeToFirstTokenMs: 850,
    totalMs: 2400,
  });
  await store.recordFeedback({ turnId: c4.id, userId: "U2", vote: "down" });
  await exchange("2024-05-07T08:00:00.000Z", "c5", "web", "can i pay in bitcoin? ", { text: "Sorry.", outcome: "abstained", totalMs: 55.2 });
  await exchange("2024-05-07T09:00:00.000Z", "c6", "discord", "How do refunds work?", {
    text: "Refunds take 5 days.",
    outcome: "answered",
    mode: "extractive",
    sources: [refunds],
    timeToFirstTokenMs: 14,
    totalMs: 15,
  });
  await store.setStatus("c6", "resolved");
  // Sunday, the week's last minute: its own day, the same week.
  await exchange("2024-05-12T23:59:00.000Z", "c7", "web", "Where are my invoices?", {
    text: "Under Billing.",
    outcome: "answered",
    mode: "extractive",
    sources: [{ ...invoices, title: "Where are my invoices? (renamed)" }],
    timeToFirstTokenMs: 123.4,
    totalMs: 1234,
  });
  // The next Monday: outside the span.
  await exchange("2024-05-13T00:00:00.000Z", "c8", "web", "Can I pay in bitcoin?", { text: "Sorry.", outcome: "abstained", totalMs: 20 });
}

