import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAbcdTranscripts } from "../../../connectors/transcripts/index.js";
import { readLabelledThreads, scoreMining } from "../../../bench/mining/scoreMining.js";
import type { ChatMessage, ChatThread } from "../../../src/chat/ChatThread.js";
import { isLlamadeskError } from "../../../src/errors.js";
import { condenseQuestion, contentSentences, isFiller } from "../../../src/mining/condenseText.js";
import { detectResolution } from "../../../src/mining/detectResolution.js";
import { extractCandidate } from "../../../src/mining/extractCandidate.js";
import { parseMiningConfig, resolveMiningRules } from "../../../src/mining/MiningConfig.js";
import { classifyAskerReply } from "../../../src/mining/resolutionSignals.js";

const rules = resolveMiningRules();

type Spec = [author: string, text: string, extra?: Partial<ChatMessage>];
function thread(specs: Spec[], extra: Partial<ChatThread> = {}, agents: string[] = []): ChatThread {
  return {
    id: "t",
    platform: "slack",
    messages: specs.map(([author, text, more], i) => ({ id: `m${i}`, author, role: agents.includes(author) ? "agent" : author === "bot" ? "bot" : "customer", text, ...more })),
    ...extra,
  };
}

describe("classifyAskerReply", () => {
  it.each([
    ["thanks, that worked", "resolved"],
    ["Solved, cheers!", "resolved"],
    ["that fixed it", "resolved"],
    ["works now 👍", "resolved"],
    ["Perfect. Thanks", "resolved"],
    ["That worked! Can I also do it on mobile?", "resolved"],
    ["thanks, but it still fails", "unresolved"],
    ["Thanks for trying to help.", "unresolved"],
    ["didn't work unfortunately", "unresolved"],
    ["no luck, same error", "unresolved"],
    ["ok thanks, I'll try that tomorrow", "unresolved"],
    ["it hasn't been fixed", "unresolved"],
    ["hmm it stopped working after a reboot", "unresolved"],
    ["thanks! where is that setting?", "neutral"],
    ["ok", "neutral"],
    ["I'm a bronze", "neutral"],
  ] as const)("%s -> %s", (text, expected) => {
    expect(classifyAskerReply(text, rules)).toBe(expected);
  });
});

describe("detectResolution", () => {
  const qa: Spec[] = [["maya", "How do I cap upload speed?"], ["dana", "Preferences > Network > Upload limit."]];

  it("needs a signal: none in a plain answered thread", () => {
    expect(detectResolution(thread(qa, {}, ["dana"]), rules)).toMatchObject({ resolved: false, reason: "no resolution signal" });
  });

  it("takes the source's word both ways, and solved-style tags without case or emoji", () => {
    expect(detectResolution(thread(qa, { resolved: true }, ["dana"]), rules)).toMatchObject({ resolved: true, answerIndex: 1, signals: [{ kind: "source" }] });
    expect(detectResolution(thread([...qa, ["maya", "thanks, that worked"]], { resolved: false }, ["dana"]), rules)).toMatchObject({ resolved: false, reason: "the source marks it unresolved" });
    expect(detectResolution(thread(qa, { tags: ["✅ Solved"] }), rules).signals).toEqual([{ kind: "tag", detail: "✅ Solved" }]);
    expect(detectResolution(thread(qa, { tags: ["Not solved", "unsolved"] }), rules).resolved).toBe(false);
  });

  it("picks the reply with a check mark (any spelling), else the answer before the thanks, else the last answer", () => {
    const reacted = thread([["maya", "Q?"], ["dana", "wrong idea"], ["lee", "right idea", { reactions: [":White_Check_Mark::skin-tone-2:"] }], ["dana", "later chatter"]], {}, ["dana", "lee"]);
    expect(detectResolution(reacted, rules)).toMatchObject({ resolved: true, answerIndex: 2, answerMessageId: "m2", signals: [{ kind: "reaction", messageId: "m2" }] });
    const thanked = thread([["maya", "Q?"], ["dana", "try A"], ["maya", "no luck"], ["dana", "try B"], ["maya", "that did it, thank you"], ["dana", "glad to help"]], {}, ["dana"]);
    expect(detectResolution(thanked, rules)).toMatchObject({ resolved: true, answerIndex: 3, signals: [{ kind: "thanks", detail: "that did it, thank you", messageId: "m4" }] });
    const tagged = thread([["maya", "Q?"], ["dana", "A1"], ["dana", "A2"]], { tags: ["answered"] }, ["dana"]);
    expect(detectResolution(tagged, rules).answerIndex).toBe(2);
    // A check mark on the question says resolved, not by which reply.
    const onQuestion = thread([["maya", "Q?", { reactions: ["✅"] }], ["dana", "A1"], ["dana", "A2"]], {}, ["dana"]);
    expect(detectResolution(onQuestion, rules)).toMatchObject({ resolved: true, answerIndex: 2, signals: [{ kind: "reaction", messageId: "m0" }] });
    expect(detectResolution(onQuestion, resolveMiningRules({ resolvedReactions: ["solved"] })).resolved).toBe(false);
  });

  it("the asker's last word decides: thanks then 'broken again' is not resolved; others' thanks do not count", () => {
    expect(detectResolution(thread([...qa, ["maya", "thanks, that worked"], ["maya", "wait, it still fails after a restart"]], {}, ["dana"]), rules).resolved).toBe(false);
    expect(detectResolution(thread([...qa, ["maya", "still fails"], ["maya", "ah no, my bad: works now, thanks"]], {}, ["dana"]), rules).resolved).toBe(true);
    expect(detectResolution(thread([...qa, ["someone", "thanks, that worked for me too"]], {}, ["dana"]), rules).resolved).toBe(false);
  });

  it("an answer must come from an agent, or when nobody is an agent, from anyone but the asker, never a bot", () => {
    const noAgents = thread([["maya", "Q?"], ["maya", "anyone?"], ["bob", "try X"], ["maya", "thanks, that worked"]]);
    expect(detectResolution(noAgents, rules)).toMatchObject({ resolved: true, answerIndex: 2 });
    const onlyAsker = thread([["maya", "Q?"], ["maya", "solved it myself, thanks"]], { tags: ["solved"] });
    expect(detectResolution(onlyAsker, rules)).toMatchObject({ resolved: false, reason: "no answer from an agent or another participant" });
    const bot = thread([["maya", "Q?"], ["bot", "See our FAQ."], ["maya", "thanks!"]]);
    expect(detectResolution(bot, rules).resolved).toBe(false);
    // With an agent in the thread, a colleague's reply is not the answer.
    const withAgent = thread([["maya", "Q?"], ["dana", "A from support"], ["bob", "A from a colleague"], ["maya", "thanks, that worked"]], {}, ["dana"]);
    expect(detectResolution(withAgent, rules).answerIndex).toBe(1);
  });

  it("designated support users (by name or platform id, any case) become agents, and then only they answer", () => {
    const t = thread([["maya", "Q?"], ["Dana", "real answer", { authorId: "U_DANA" }], ["bob", "chatter"], ["maya", "thanks, that worked"]]);
    expect(detectResolution(t, rules).answerIndex).toBe(2); // no agents: the last reply by someone else before the thanks
    expect(detectResolution(t, resolveMiningRules({ supportUsers: ["u_dana"] })).answerIndex).toBe(1);
    expect(detectResolution(t, resolveMiningRules({ supportUsers: ["dana"] })).answerIndex).toBe(1);
  });
});

describe("extractCandidate (rules)", () => {
  it("condenses the question: greetings, greeting-only messages, emoji and sign-offs go; the question sentences stay", () => {
    const t = thread(
      [["maya", "hi all :wave:"], ["maya", "Hello! We're on the Team plan. Our invoice shows a charge I don't understand. It was on the 3rd. How are we billed for new members? Thanks in advance!\n-- Maya"], ["dana", "Pro rata for the rest of the period."], ["maya", "makes sense, thanks"]],
      {},
      ["dana"],
    );
    const draft = extractCandidate(t, detectResolution(t, rules), [])!;
    expect(draft.question).toBe("We're on the Team plan. Our invoice shows a charge I don't understand. How are we billed for new members?");
    expect(draft.questionMessageIds).toEqual(["m1"]);
    expect(draft.answer).toBe("Pro rata for the rest of the period.");
  });

  it("joins an answer split over messages, skips holding replies and bots, keeps steps, drops the sign-off", () => {
    const t = thread(
      [["maya", "How do I send logs?"], ["dana", "One moment please, let me check."], ["bot", "[action] searching"], ["dana", "1. Open Preferences > Help.\n2. Click Send diagnostics."], ["dana", "Then paste the reference here. Hope that helps!"], ["maya", "Done, thank you!"]],
      {},
      ["dana"],
    );
    const draft = extractCandidate(t, detectResolution(t, rules))!;
    expect(draft.answer).toBe("1. Open Preferences > Help.\n2. Click Send diagnostics.\nThen paste the reference here.");
    expect(draft.answerMessageIds).toEqual(["m3", "m4"]);
  });

  it("keeps the reply to the question when the resolving reply answered a follow-up; not when the follow-up said it failed", () => {
    const followUp = thread([["maya", "How do I delete my account?"], ["dana", "Settings > Account > Delete."], ["maya", "Will my shared folders go too?"], ["dana", "Only the ones you own."], ["maya", "got it, thanks"]], {}, ["dana"]);
    expect(extractCandidate(followUp, detectResolution(followUp, rules))!.answer).toBe("Settings > Account > Delete.\nOnly the ones you own.");
    const failed = thread([["maya", "How do I sync?"], ["dana", "Try A."], ["maya", "That didn't work, what else?"], ["dana", "Try B."], ["maya", "works now, thanks"]], {}, ["dana"]);
    expect(extractCandidate(failed, detectResolution(failed, rules))!.answer).toBe("Try B.");
  });

  it("falls back to the thread title when the opening has no content; nothing for an unresolved thread", () => {
    const t = thread([["maya", "hi team!"], ["bob", "Use the web app."]], { title: "Export to PDF?", tags: ["solved"] });
    expect(extractCandidate(t, detectResolution(t, rules))!.question).toBe("Export to PDF?");
    const open = thread([["maya", "Q?"], ["bob", "A"]]);
    expect(extractCandidate(open, detectResolution(open, rules))).toBeUndefined();
  });

  it("text helpers: pleasantries, fillers and long questions", () => {
    expect(contentSentences("Hi Dana, is there a limit? Thanks, Bob")).toEqual(["Is there a limit?"]);
    expect(contentSentences("Hey can you help me with exports")).toEqual(["Can you help me with exports"]);
    expect(isFiller("sure! one moment please")).toBe(true);
    expect(isFiller("Have a nice day!")).toBe(true);
    expect(isFiller("Open Settings > Network and set the limit.")).toBe(false);
    const long = ["We use Tidepool at work.", "It was fine for years.", "Yesterday something changed.", "Now uploads fail with error 403.", "Our admin is away.", "What should I check first?"];
    expect(condenseQuestion(long)).toBe("We use Tidepool at work. Now uploads fail with error 403. What should I check first?");
  });
});

describe("mining rules on labelled data", () => {
  it("ABCD-shaped chats: delivery status and gift card resolved, the refused return not", async () => {
    const file = resolve(process.cwd(), "connectors/transcripts/fixtures/abcd-chats.json");
    const { threads } = parseAbcdTranscripts(await readFile(file, "utf8"), "abcd-chats.json");
    const results = threads.map((t) => {
      const resolution = detectResolution(t, rules);
      return { id: t.id, resolved: resolution.resolved, draft: extractCandidate(t, resolution) };
    });
    expect(results.map((r) => [r.id, r.resolved])).toEqual([["abcd:101", false], ["abcd:102", true], ["abcd:103", true]]);
    // The reply to the question and the reply to the follow-up ("how long does delivery usually take") together.
    expect(results[1]!.draft).toMatchObject({
      question: "When will my order arrive? It says shipped but nothing since",
      answer: "Your parcel left our warehouse on Monday and is with the courier now.\nDelivery is 3 to 5 business days after it leaves the warehouse.",
    });
    // The greeting-only opening and the holding replies are left out; the action lines are not the answer.
    expect(results[2]!.draft).toMatchObject({ answer: "Gift cards are valid for 12 months from the day they are bought." });
    expect(results[2]!.draft!.question).toMatch(/^I was given a gift card for my birthday and I want to know when it expires\./);
  });

  it("the hand-labelled fixtures: precision and recall stay high (the bench prints the per-thread table)", async () => {
    for (const file of ["labelled-threads.json", "heldout-threads.json"]) {
      const labelled = await readLabelledThreads(resolve(process.cwd(), "test/fixtures/mining", file));
      const score = await scoreMining(labelled.threads, resolveMiningRules({ supportUsers: labelled.supportUsers }));
      expect(score.precision, file).toBeGreaterThanOrEqual(0.85);
      expect(score.recall, file).toBeGreaterThanOrEqual(0.85);
    }
  });
});

describe("mining config", () => {
  it("checks the config file's mining section, naming the field", () => {
    expect(parseMiningConfig({ supportUsers: ["U1"], similarityThreshold: 0.9 })).toEqual({ supportUsers: ["U1"], similarityThreshold: 0.9 });
    const bad = (raw: unknown) => {
      try {
        parseMiningConfig(raw, "llamadesk.config.json: mining");
      } catch (error) {
        expect(isLlamadeskError(error, "CONFIG_INVALID")).toBe(true);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(bad({ thanksPatterns: ["ok", "(unclosed"] })).toMatch(/^llamadesk\.config\.json: mining\.thanksPatterns\.1: not a valid regular expression/);
    expect(bad({ similarityThreshold: 2 })).toContain("mining.similarityThreshold:");
    expect(bad({ supportUser: ["x"] })).toContain("mining.supportUser");
  });

  it("configured patterns add to the built-in ones", () => {
    const merci = resolveMiningRules({ thanksPatterns: ["\\bmerci\\b"], notResolvedPatterns: ["\\btoujours pas\\b"] });
    expect(classifyAskerReply("merci beaucoup", merci)).toBe("resolved");
    expect(classifyAskerReply("merci, mais ça ne marche toujours pas", merci)).toBe("unresolved");
    expect(classifyAskerReply("thanks, that worked", merci)).toBe("resolved");
    expect(classifyAskerReply("merci beaucoup", rules)).toBe("neutral");
  });
});
