import { describe, expect, it } from "vitest";
import { decodeMrkdwn, mentionedUserIds, type MrkdwnNames } from "./decodeMrkdwn.js";

const names: MrkdwnNames = {
  user: (id) => ({ U123: "alice", U456: "Bob Ortiz" })[id],
  channel: (id) => ({ C1: "support" })[id],
};

describe("decodeMrkdwn", () => {
  it("resolves user mentions by id, falling back to the label Slack kept, then the id", () => {
    expect(decodeMrkdwn("cc <@U123> and <@U456>", names)).toBe("cc @alice and @Bob Ortiz");
    expect(decodeMrkdwn("ping <@U999|carol>", names)).toBe("ping @carol");
    expect(decodeMrkdwn("ping <@U999>", names)).toBe("ping @U999");
  });

  it("resolves channel mentions by label, else by id", () => {
    expect(decodeMrkdwn("see <#C2|general>", names)).toBe("see #general");
    expect(decodeMrkdwn("see <#C1>", names)).toBe("see #support");
    expect(decodeMrkdwn("see <#C9>", names)).toBe("see #C9");
  });

  it("turns labelled links into 'label (url)', and auto-links into the text the user typed", () => {
    expect(decodeMrkdwn("<https://x.example/a?b=1&amp;c=2|the docs>", names)).toBe("the docs (https://x.example/a?b=1&c=2)");
    expect(decodeMrkdwn("<https://x.example/a>", names)).toBe("https://x.example/a");
    expect(decodeMrkdwn("go to <http://example.com|example.com>", names)).toBe("go to example.com");
    expect(decodeMrkdwn("mail <mailto:help@acme.example|help@acme.example> or <mailto:help@acme.example>", names)).toBe("mail help@acme.example or help@acme.example");
  });

  it("decodes broadcasts, user groups and dates to their readable form", () => {
    expect(decodeMrkdwn("<!here> <!channel> <!everyone>", names)).toBe("@here @channel @everyone");
    expect(decodeMrkdwn("<!subteam^S01|@support-team> please", names)).toBe("@support-team please");
    expect(decodeMrkdwn("due <!date^1392734382^{date_short}|Feb 18, 2014>", names)).toBe("due Feb 18, 2014");
  });

  it("decodes the three escaped entities once, after the markup (a typed &lt;b&gt; stays text)", () => {
    expect(decodeMrkdwn("a &lt; b &amp;&amp; c &gt; d", names)).toBe("a < b && c > d");
    expect(decodeMrkdwn("&amp;lt; is how you write &lt;", names)).toBe("&lt; is how you write <");
    expect(decodeMrkdwn("&lt;@U123&gt; is not a mention", names)).toBe("<@U123> is not a mention");
  });

  it("lists the users a text mentions", () => {
    expect(mentionedUserIds("hi <@U123>, <@U999|carol> and <#C1>")).toEqual(["U123", "U999"]);
  });
});
