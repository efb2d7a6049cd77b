import { describe, expect, it } from "vitest";
import { answerBlocks } from "../../../src/channels/slack/answerBlocks.js";
import { fromSlackText } from "../../../src/channels/slack/fromSlackText.js";
import { replyTargetOf } from "../../../src/channels/slack/slackConversationId.js";
import { toMrkdwn } from "../../../src/channels/slack/toMrkdwn.js";
import type { AnswerView } from "../../../src/channels/renderAnswer.js";
import type { AnswerSource } from "../../../src/pipeline/AnswerSource.js";

describe("toMrkdwn", () => {
  it("escapes &, < and > so Slack does not read them as markup", () => {
    expect(toMrkdwn("Tom & Jerry <script> 3 > 2")).toBe("Tom &amp; Jerry &lt;script&gt; 3 &gt; 2");
  });

  it("converts links, bold, italics and strikethrough", () => {
    expect(toMrkdwn("See [the guide](https://help.example.test/a?b=1&c=2) now")).toBe("See <https://help.example.test/a?b=1&amp;c=2|the guide> now");
    expect(toMrkdwn("**Settings** then *Network* and _Limits_, ~~old~~")).toBe("*Settings* then _Network_ and _Limits_, ~old~");
    expect(toMrkdwn("__bold__ too")).toBe("*bold* too");
    // Not links: other schemes, and citations.
    expect(toMrkdwn("[x](javascript:alert(1)) and [1]")).toBe("[x](javascript:alert(1)) and [1]");
  });

  it("keeps code as code: escaped, never reformatted, the fence's language dropped", () => {
    expect(toMrkdwn("Run `rm **x** <y>` then")).toBe("Run `rm **x** &lt;y&gt;` then");
    expect(toMrkdwn("```bash\necho **hi** > out\n```")).toBe("```\necho **hi** &gt; out\n```");
  });

  it("turns headings into bold lines and bullets into •, keeps quotes", () => {
    expect(toMrkdwn("## Steps\n- one\n* two\n> quoted **bit**")).toBe("*Steps*\n• one\n• two\n> quoted *bit*");
  });

  it("copes with half-written text while streaming", () => {
    expect(toMrkdwn("Open **Sett")).toBe("Open **Sett");
    expect(toMrkdwn("```js\nconst a = 1")).toBe("```\nconst a = 1\n```");
  });
});

describe("fromSlackText", () => {
  it("removes the bot's mention, makes mentions, channels and links readable, unescapes", () => {
    expect(fromSlackText("<@UBOT> how do I pay &amp; get <https://x.test/inv|an invoice>? cc <@U2|ana> in <#C1|billing> &lt;3", "UBOT")).toBe(
      "how do I pay & get an invoice (https://x.test/inv)? cc @ana in #billing <3",
    );
    expect(fromSlackText("<!here> <https://x.test>")).toBe("@here https://x.test");
  });
});

describe("replyTargetOf", () => {
  it("reads threads, DMs and private answers back out of conversation ids", () => {
    expect(replyTargetOf("slack:C0SUPPORT:1700000000.000100")).toEqual({ channel: "C0SUPPORT", threadTs: "1700000000.000100" });
    expect(replyTargetOf("slack:D0CUSTOMER:dm")).toEqual({ channel: "D0CUSTOMER" });
    expect(replyTargetOf("web:abc")).toBeUndefined();
  });
});

describe("answerBlocks", () => {
  const source = (n: number, url?: string): AnswerSource => ({
    n,
    id: `doc${n}`,
    chunkId: `doc${n}#0`,
    kind: url?.includes("/archives/") ? "chat" : "faq",
    title: `Title ${n} | <b>`,
    source: url ?? `faq/billing.md:${n * 10}`,
    ...(url ? { url } : {}),
    score: 1 - n / 10,
  });
  const view = (partial: Partial<AnswerView>): AnswerView => ({ state: "answered", text: "", sources: [], citations: [], related: [], notices: [], ...partial });
  const options = { conversationId: "slack:C1:1.2", maxSources: 3 };

  it("lists cited sources first, as links or file:line, escaped, at most maxSources", () => {
    const sources = [source(1), source(2, "https://tidepool.slack.test/archives/C9/p123"), source(3), source(4)];
    const message = answerBlocks(view({ text: "Yes [2].", sources, citations: [sources[1]!], turnId: "t1" }), options);
    const context = message.blocks.find((b) => b.type === "context") as any;
    expect(context.elements.map((e: any) => e.text)).toEqual([
      "*Sources:*",
      "[2] <https://tidepool.slack.test/archives/C9/p123|Title 2 ¦ &lt;b&gt;>",
      "[1] Title 1 ¦ &lt;b&gt; `faq/billing.md:10`",
      "[3] Title 3 ¦ &lt;b&gt; `faq/billing.md:30`",
    ]);
  });

  it("lists a verbatim answer's related entries under its sources", () => {
    const sources = [source(1)];
    const message = answerBlocks(view({ text: "Yes.", sources, citations: sources, related: [source(2, "https://help.example/b"), source(3)], turnId: "t1" }), options);
    const contexts = message.blocks.filter((b) => b.type === "context") as any[];
    expect(contexts.map((c) => c.elements.map((e: any) => e.text))).toEqual([
      ["*Sources:*", "[1] Title 1 ¦ &lt;b&gt; `faq/billing.md:10`"],
      ["*Related:*", "[2] <https://help.example/b|Title 2 ¦ &lt;b&gt;>", "[3] Title 3 ¦ &lt;b&gt; `faq/billing.md:30`"],
    ]);
    expect(JSON.stringify(answerBlocks(view({ text: "Yes.", sources, citations: sources, turnId: "t1" }), options).blocks)).not.toContain("Related");
  });

  it("offers a human after an abstention, and 'Mark resolved' once handed off", () => {
    const abstained = answerBlocks(view({ state: "abstained", text: "I don't know.", sources: [source(1)] }), options);
    expect(JSON.stringify(abstained.blocks)).toContain("*Closest matches:*");
    expect(JSON.stringify(abstained.blocks)).not.toContain("*Sources:*");
    expect((abstained.blocks.at(-1) as any).elements.map((e: any) => e.action_id)).toEqual(["llamadesk_human"]);
    const handedOff = answerBlocks(
      view({ state: "abstained", text: "I don't know.\n\nA person will reply here.", sources: [source(1)], handoff: { reason: "repeated-abstentions", message: "A person will reply here." } }),
      { ...options, mention: "S0AGENTS" },
    );
    expect(JSON.stringify(handedOff.blocks)).toContain("*Closest matches:*");
    expect(JSON.stringify(handedOff.blocks)).not.toContain("*Sources:*");
    expect((handedOff.blocks[0] as any).text.text).toBe("<!subteam^S0AGENTS> I don't know.\n\nA person will reply here.");
    expect((handedOff.blocks.at(-1) as any).elements.map((e: any) => [e.action_id, e.value])).toEqual([["llamadesk_resolve", "slack:C1:1.2"]]);
  });

  it("splits long answers into sections under Slack's 3,000-character limit", () => {
    const text = Array.from({ length: 80 }, (_, i) => `Line ${i} ${"x".repeat(60)}`).join("\n");
    const sections = answerBlocks(view({ text }), options).blocks.filter((b) => b.type === "section") as any[];
    expect(sections.length).toBe(2);
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(3000);
    expect(sections.map((s) => s.text.text).join("\n")).toBe(text);
  });

  it("apologises briefly on failure, never showing the error", () => {
    const failed = answerBlocks(view({ state: "failed", error: { code: "MODEL_FAILED", message: "llama.cpp crashed at /secret/path" } }), options);
    expect(failed.text).toMatch(/^Sorry/);
    expect(JSON.stringify(failed)).not.toContain("secret");
  });
});
