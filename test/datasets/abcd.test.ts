import { describe, expect, it } from "vitest";
import { DATASETS_DIR, readDataset } from "../../bench/datasets/stackfaq.js";
import { parseAbcdTranscripts } from "../../connectors/transcripts/index.js";
import { detectResolution } from "../../src/mining/detectResolution.js";
import { extractCandidate } from "../../src/mining/extractCandidate.js";
import { resolveMiningRules } from "../../src/mining/MiningConfig.js";

// The public ABCD sample (three real-shaped store chats, see the datasets' README), read in place:
// the transcripts connector reads it as it is, and the mining rules find what a person would.
describe("the public ABCD sample", () => {
  const load = async () => parseAbcdTranscripts(await readDataset(DATASETS_DIR, "abcd/abcd_sample.json"), "abcd_sample.json");

  it("reads as transcripts: roles, actions as bot messages, flow tags, no personal data", async () => {
    const { threads, issues } = await load();
    expect(issues).toEqual([]);
    expect(threads.map((t) => t.id)).toEqual(["abcd:3592", "abcd:9489", "abcd:3695"]);
    const first = threads[0]!;
    expect(first.tags).toEqual(["product_defect", "return_size"]);
    expect(first.messages[0]).toEqual({ id: "0", author: "agent", role: "agent", text: "Hi!" });
    expect(first.messages.find((m) => m.text.startsWith("Account has been pulled up"))?.role).toBe("bot");
    expect(first.messages).toHaveLength(29);
    // The scenario (name, email, address) is not copied; what the customer typed in the chat stays, as typed.
    expect(Object.keys(first).sort()).toEqual(["id", "location", "messages", "platform", "tags"]);
    expect(new Set(first.messages.map((m) => m.author))).toEqual(new Set(["agent", "customer", "action"]));
    expect(first.location).toEqual({ file: "abcd_sample.json", line: 1 });
  });

  it("mining: refund status and promo code resolved, the refused return not", async () => {
    const rules = resolveMiningRules();
    const { threads } = await load();
    const results = threads.map((t) => {
      const resolution = detectResolution(t, rules);
      return { id: t.id, resolved: resolution.resolved, draft: extractCandidate(t, resolution) };
    });
    expect(results.map((r) => [r.id, r.resolved])).toEqual([["abcd:3592", false], ["abcd:9489", true], ["abcd:3695", true]]);
    expect(results[1]!.draft).toMatchObject({
      question: "Just wanted to check on the status of a refund",
      answer: "It is currently in progress and the payment method with which it is being processed is online towards your credit card.\nLess than a week",
    });
    expect(results[2]!.draft).toMatchObject({ answer: "Ok, all promo codes expire after 7 days without fail." });
    expect(results[2]!.draft!.question).toMatch(/^I've got a promo code and I want to know when they expire\./);
  });
});
