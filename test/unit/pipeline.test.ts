import { describe, expect, it } from "vitest";
import { resolvePolicy, DEFAULT_POLICY } from "../../src/pipeline/AnswerPolicy.js";
import type { AnswerSource } from "../../src/pipeline/AnswerSource.js";
import { assessAnswerability, termCoverage } from "../../src/pipeline/assessAnswerability.js";
import { cite } from "../../src/pipeline/cite.js";
import { condenseQuestion, looksLikeFollowUp, swapDetail } from "../../src/pipeline/condenseQuestion.js";
import { detectHandoffRequest } from "../../src/pipeline/detectHandoffRequest.js";
import { preferNamed } from "../../src/pipeline/preferNamed.js";
import { loadPrompts } from "../../src/prompts/loadPrompts.js";
import type { Turn } from "../../src/store/ConversationStore.js";
import { FakeChatModel } from "../../src/testing/FakeChatModel.js";
import type { Passage } from "../../src/types.js";

const source = (n: number, id = `doc${n}`): AnswerSource => ({ n, id, chunkId: id, kind: "faq", title: `T${n}`, source: `faq.md:${n}`, score: 1 });
const passage = (docId: string, score: number, vector: number, title = "How do I reset my password?", kind: Passage["kind"] = "faq"): Passage => ({
  chunkId: docId,
  docId,
  kind,
  title,
  text: "Open Settings and choose Reset.",
  score,
  signals: { vector, lexical: 3 },
});

describe("detectHandoffRequest", () => {
  it.each([
    "talk to a human",
    "Agent please!",
    "can I speak with someone from support?",
    "I want a real person",
    "connect me to a live agent",
    "HUMAN",
    "please transfer me to customer service",
    "I need to talk to a representative now",
    "je veux parler à un humain",
    "quiero hablar con una persona",
    "ich möchte mit einem Mitarbeiter sprechen",
    "is there a human I can talk to?",
  ])("asks for a person: %s", (text) => expect(detectHandoffRequest(text)).toBe(true));

  it.each([
    "How do I add an agent to my team?",
    "Can agents see private tickets?",
    "I want an agent to be able to see tickets",
    "How many people can join a workspace?",
    "Does the human resources module export payroll?",
    "What does the person icon mean?",
    "",
  ])("a product question is not a request: %s", (text) => expect(detectHandoffRequest(text)).toBe(false));
});

describe("cite", () => {
  const sources = [source(1), source(2), source(4)];

  it("maps numbers to sources in order of first citation and keeps the text", () => {
    const cited = cite("Do X [2]. Then Y [1][2].", sources);
    expect(cited.text).toBe("Do X [2]. Then Y [1][2].");
    expect(cited.citations.map((c) => c.n)).toEqual([2, 1]);
    expect(cited.dropped).toEqual([]);
  });

  it("drops numbers that point nowhere, inside lists too, and tidies the gap", () => {
    const cited = cite("Do X [3]. Then Y [1, 3, 4]. Done [9].", sources);
    expect(cited.text).toBe("Do X. Then Y [1][4]. Done.");
    expect(cited.citations.map((c) => c.n)).toEqual([1, 4]);
    expect(cited.dropped).toEqual([3, 9]);
  });

  it("leaves bracketed text that is not a citation alone", () => {
    expect(cite("Press [Save] then [ok].", sources)).toEqual({ text: "Press [Save] then [ok].", citations: [], dropped: [] });
  });
});

describe("assessAnswerability", () => {
  // Pinned here, so the cases read the same whatever the calibrated defaults are.
  const policy = { ...DEFAULT_POLICY, minConfidence: 0.7, tieConfidence: 0.8, suggestConfidence: 0.6, extractiveMargin: 0.05, autoExtractiveConfidence: 0.9, autoExtractiveMargin: 0.2 };

  it("abstains with no passages; below the confidence threshold it is unsure above the suggestion floor, else finds nothing", () => {
    expect(assessAnswerability("anything", [], policy)).toMatchObject({ answerable: false, reason: "no-passages", related: [] });
    const low = assessAnswerability("What mortgage rates do you offer?", [passage("a", 1, 0.3)], policy);
    expect(low).toMatchObject({ answerable: false, reason: "low-confidence", coverage: 0 });
    expect(low.confidence).toBeCloseTo(0.3);
    const unsure = assessAnswerability("What mortgage rates do you offer?", [passage("a", 1, 0.65)], policy);
    expect(unsure).toMatchObject({ answerable: false, reason: "unsure" });
  });

  it("word coverage lifts a borderline similarity over the threshold", () => {
    const v = assessAnswerability("reset my password", [passage("a", 1, 0.4)], policy);
    expect(v.coverage).toBe(1);
    expect(v.confidence).toBeCloseTo(0.9);
    expect(v.answerable).toBe(true);
    expect(assessAnswerability("reset my password", [passage("a", 1, 0.4)], { ...policy, minConfidence: 0.95, tieConfidence: 0.95 }).answerable).toBe(false);
    // The retriever's IDF-weighted coverage wins over plain word counting.
    const weighted = { ...passage("a", 1, 0.4), signals: { vector: 0.4, coverage: 0.2 } };
    expect(assessAnswerability("reset my password", [weighted], policy)).toMatchObject({ coverage: 0.2, answerable: false });
  });

  it("the margin is over the best entry of another question: a second answer to the same question is no rival", () => {
    const other = passage("b", 0.5, 0.5, "Where are my invoices?");
    const clear = assessAnswerability("reset my password", [passage("a", 1, 0.9), other], policy);
    // 1.4 against 0.5 + 0.5 × ("reset" of the two words, in its text).
    expect(clear).toMatchObject({ answerable: true, verbatim: true, extractive: true, related: [] });
    expect(clear.margin).toBeCloseTo(0.65);
    const sibling = assessAnswerability("reset my password", [passage("a", 1, 0.9), passage("a2", 0.99, 0.89), other], policy);
    expect(sibling.margin).toBeCloseTo(0.65);
    expect(sibling).toMatchObject({ verbatim: true, related: [] });
  });

  it("a middling match (between minConfidence and tieConfidence) is given verbatim only with a lead over other questions", () => {
    const middling = passage("a", 1, 0.25);
    const led = assessAnswerability("reset my password", [middling, passage("b", 0.5, 0.3, "Where are my invoices?")], policy);
    expect(led.confidence).toBeCloseTo(0.75);
    expect(led).toMatchObject({ answerable: true, verbatim: true, related: [] });
    const tied = assessAnswerability("reset my password", [middling, passage("b", 0.9, 0.23, "Reset my password on the phone?")], policy);
    // Answerable (a chat model may combine them), but not one to give verbatim.
    expect(tied).toMatchObject({ answerable: true, verbatim: false, related: [] });
  });

  it("a strong near tie with other questions still answers, and lists them as related (at most two, best first)", () => {
    const best = passage("a", 1, 0.9);
    const close = passage("b", 0.95, 0.88, "Reset my password on the phone?");
    const closer = passage("c", 0.94, 0.89, "How do I reset the password of a teammate?");
    const far = passage("d", 0.9, 0.7, "Password rules and reset links");
    const v = assessAnswerability("reset my password", [best, close, closer, far], policy);
    expect(v).toMatchObject({ answerable: true, verbatim: true, extractive: false });
    expect(v.margin).toBeCloseTo(0.01);
    expect(v.related.map((p) => p.docId)).toEqual(["c", "b"]);
    const ahead = assessAnswerability("reset my password", [best, passage("b", 0.85, 0.8, "Reset my password on the phone?")], policy);
    expect(ahead).toMatchObject({ answerable: true, verbatim: true, extractive: false, related: [] });
    const chat = assessAnswerability("reset my password", [passage("a", 1, 0.9, "Thread", "chat")], policy);
    expect(chat.extractive).toBe(false);
  });

  it("coverage counts distinct stemmed content words", () => {
    expect(termCoverage("resetting passwords", { title: "Reset a password", text: "" })).toBe(1);
    expect(termCoverage("the and of", { title: "x", text: "" })).toBe(0);
  });
});

describe("condenseQuestion", () => {
  const turn = (role: Turn["role"], text: string): Turn => ({ id: text, conversationId: "c", role, text, createdAt: "" });
  const history = [turn("user", "Is there an Android app?"), turn("assistant", "Yes.")];

  it("tells follow-ups from standalone questions", () => {
    for (const q of ["and on iOS?", "does it sync?", "what about teams?", "why?", "how do I do that on Windows?", "does that work offline?", "can I undo that?"]) expect(looksLikeFollowUp(q), q).toBe(true);
    for (const q of ["Can I get a mortgage?", "Is there an Android app?", "How do I export my data as CSV?", "Why do files that are open not sync?"]) expect(looksLikeFollowUp(q), q).toBe(false);
  });

  it("passes the first question and standalone ones unchanged, joins follow-ups by rules", async () => {
    const prompts = await loadPrompts();
    expect(await condenseQuestion({ history: [], question: "and on iOS?" }, { mode: "auto", prompts })).toEqual({ question: "and on iOS?", by: "unchanged" });
    expect(await condenseQuestion({ history, question: "How do I export?" }, { mode: "auto", prompts })).toEqual({ question: "How do I export?", by: "unchanged" });
    expect(await condenseQuestion({ history, question: "and on iOS?" }, { mode: "auto", prompts })).toEqual({ question: "Is there an Android app? and on iOS?", by: "rules", named: "on iOS" });
    expect(await condenseQuestion({ history, question: "does it sync?" }, { mode: "auto", prompts })).toEqual({ question: "Is there an Android app? does it sync?", by: "rules" });
  });

  it("a follow-up that swaps a detail replaces the previous question's last one, and names it", async () => {
    const prompts = await loadPrompts();
    const germany = [turn("user", "How long until my order arrives in Germany?"), turn("assistant", "2–4 business days.")];
    expect(await condenseQuestion({ history: germany, question: "and to Australia?" }, { mode: "auto", prompts })).toEqual({
      question: "How long until my order arrives to Australia?",
      by: "rules",
      named: "to Australia",
    });
    // A detail without a preposition keeps the previous one.
    expect(swapDetail("How do I connect Tidepool to Slack?", "what about Microsoft Teams?")).toEqual({ question: "How do I connect Tidepool to Microsoft Teams?", named: "Microsoft Teams" });
    expect(swapDetail("Can I pay in euros instead of dollars?", "And with PayPal?")).toEqual({ question: "Can I pay with PayPal?", named: "with PayPal" });
    // "on" inside "sign-on" starts no detail.
    expect(swapDetail("How do I set up single sign-on?", "and on Linux?")).toEqual({ question: "How do I set up single sign-on? and on Linux?", named: "on Linux" });
    // Questions and conditions of their own, and words pointing back, are not a detail.
    for (const q of ["and how long does it take?", "and if I cancel?", "what about it?", "and?", "and for those?", "How do I export?"]) expect(swapDetail("Do you ship to Germany?", q), q).toBeUndefined();
  });

  it("asks the model for follow-ups with the condense prompt, and falls back to rules on an empty rewrite", async () => {
    const prompts = await loadPrompts();
    const model = new FakeChatModel({ answers: ["Standalone question: Is there an iOS app?\nextra", ""] });
    const out = await condenseQuestion({ history, question: "and on iOS?" }, { mode: "auto", model, prompts });
    // The swapped detail is named whoever rewrote the question: the answer must be about it either way.
    expect(out).toEqual({ question: "Is there an iOS app?", by: "model", named: "on iOS" });
    expect(model.calls[0]!.messages[0]!.content).toContain("Customer: Is there an Android app?\nAssistant: Yes.");
    expect(model.calls[0]!.options).toMatchObject({ temperature: 0, stop: ["\n"] });
    expect((await condenseQuestion({ history, question: "and on iOS?" }, { mode: "auto", model, prompts })).by).toBe("rules");
    // A standalone question costs no model call in auto mode.
    await condenseQuestion({ history, question: "How do I export my data?" }, { mode: "auto", model, prompts });
    expect(model.calls).toHaveLength(2);
  });
});

describe("resolvePolicy", () => {
  it("fills defaults and names the wrong field", () => {
    expect(resolvePolicy({ generation: { maxTokens: 10 } }).generation).toEqual({ ...DEFAULT_POLICY.generation, maxTokens: 10 });
    expect(() => resolvePolicy({ minConfidence: 0.5, suggestConfidence: 0.6 })).toThrow(/suggestConfidence \(0\.6\) is above policy\.minConfidence \(0\.5\)/);
    expect(resolvePolicy({ minConfidence: 0.5, suggestConfidence: 0.5 }).suggestConfidence).toBe(0.5);
    expect(() => resolvePolicy({ minConfidence: 0.9, tieConfidence: 0.8 })).toThrow(/tieConfidence \(0\.8\) is below policy\.minConfidence \(0\.9\)/);
    // Only minConfidence set (calibrated for another embedder): the default floors around it follow it.
    expect(resolvePolicy({ minConfidence: 0.9 })).toMatchObject({ minConfidence: 0.9, tieConfidence: 0.9, suggestConfidence: 0.6 });
    expect(resolvePolicy({ minConfidence: 0.5 })).toMatchObject({ minConfidence: 0.5, tieConfidence: 0.8, suggestConfidence: 0.5 });
    expect(resolvePolicy({ minConfidence: 0 })).toMatchObject({ suggestConfidence: 0 });
    expect(() => resolvePolicy({ mode: "creative" as never })).toThrow(/policy\.mode/);
    expect(() => resolvePolicy({ generation: { topP: 0 } })).toThrow(/policy\.generation\.topP/);
    expect(() => resolvePolicy({ unknown: 1 } as never)).toThrow(/policy/);
  });
});

describe("preferNamed", () => {
  const entry = (docId: string, title: string, text: string, score: number): Passage => ({ ...passage(docId, score, 0.7, title), text });
  const times = entry("times", "How long does shipping take?", "2–4 business days in the US, 4–8 to the EU.", 1);
  const australia = entry("australia", "Do you ship to Australia?", "Not yet. We ship to the US, Canada and the EU.", 0.9);
  const uk = entry("uk", "Do you ship to the UK?", "Yes, in 3–5 business days. Australia is next.", 0.8);

  it("keeps the passages that mention the most of what was named, in their order", () => {
    expect(preferNamed([times, australia, uk], "to Australia").map((p) => p.docId)).toEqual(["australia", "uk"]);
    expect(preferNamed([times, australia, uk], "the UK").map((p) => p.docId)).toEqual(["uk"]);
  });

  it("keeps them all when nothing was named, none mentions it, or all do", () => {
    expect(preferNamed([times, australia], undefined)).toEqual([times, australia]);
    expect(preferNamed([times, australia], "to Japan")).toEqual([times, australia]);
    // "EU" is in both: it tells them apart no more than "Tidepool" would.
    expect(preferNamed([times, australia], "the EU")).toEqual([times, australia]);
  });
});
