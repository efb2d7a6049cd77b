import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceDoc } from "../../src/types.js";
import { FakeGitHubGraphql } from "./FakeGitHubGraphql.js";
import { GitHubDiscussionsConnector } from "./GitHubDiscussionsConnector.js";

const TOKEN = "ghp_unitTestToken";
const REPO = "acme/widgets";

describe("GitHubDiscussionsConnector", () => {
  const fake = new FakeGitHubGraphql({ token: TOKEN, repo: REPO });
  let apiUrl: string;
  beforeAll(async () => {
    const d = (n: number, minutes: number) => ({
      id: `D_${n}`, number: n, title: `Question ${n}?`, url: `https://github.com/${REPO}/discussions/${n}`, bodyText: `How do I do thing ${n}?`,
      createdAt: new Date(Date.now() - minutes * 60_000).toISOString(), updatedAt: new Date(Date.now() - minutes * 60_000).toISOString(), isAnswered: false,
      author: null, authorAssociation: "NONE", category: { name: "Q&A", slug: "q-a" }, labels: { nodes: [{ name: "billing" }] },
      comments: [
        { id: `C_${n}`, bodyText: "Use the bot.", createdAt: new Date().toISOString(), author: { login: "ci[bot]", __typename: "Bot" }, authorAssociation: "NONE", isAnswer: false, replies: { nodes: [] } },
        { id: `C_${n}b`, bodyText: "Settings > Thing.", createdAt: new Date().toISOString(), author: { login: "owner", __typename: "User" }, authorAssociation: "OWNER", isAnswer: false, replies: { nodes: [] } },
      ],
    });
    for (let n = 1; n <= 30; n++) fake.discussions.push(d(n, 1000 - n));
    apiUrl = await fake.start();
  });
  afterAll(() => fake.stop());

  const pull = async (connector: GitHubDiscussionsConnector) => {
    const docs: SourceDoc[] = [];
    for await (const doc of connector.pull()) docs.push(doc);
    return docs;
  };

  it("pages through discussions, marks roles (deleted author → ghost, bots, maintainers) and tags with category and labels", async () => {
    const docs = await pull(new GitHubDiscussionsConnector({ repo: REPO, token: TOKEN, apiUrl }));
    expect(docs).toHaveLength(30);
    expect(fake.callsTo("Discussions")).toHaveLength(2); // 25 a page
    const thread = docs.find((d) => d.id === `github:${REPO}#7`)!.thread!;
    expect(thread.messages.map((m) => [m.author, m.role])).toEqual([["ghost", "customer"], ["ci[bot]", "bot"], ["owner", "agent"]]);
    expect(thread.tags).toEqual(["Q&A", "billing"]);
    expect(thread.resolved).toBeUndefined();
  });

  it("waits for the primary rate limit's reset when few points are left", async () => {
    fake.calls.length = 0;
    const resetAt = Date.now() + 42_000;
    fake.rateLimit = { remaining: 3, resetAt: new Date(resetAt).toISOString(), cost: 1 };
    const waits: number[] = [];
    await pull(new GitHubDiscussionsConnector({ repo: REPO, token: TOKEN, apiUrl, sleep: async (ms) => void waits.push(ms) }));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(30_000);
    expect(waits[0]).toBeLessThanOrEqual(42_000);
    fake.rateLimit = { remaining: 4990, resetAt: new Date(Date.now() + 3_600_000).toISOString(), cost: 1 };
  });

  it("gives up with RATE_LIMITED instead of waiting longer than the limit allows", async () => {
    fake.rateLimit = { remaining: 0, resetAt: new Date(Date.now() + 3 * 3_600_000).toISOString(), cost: 1 };
    await expect(pull(new GitHubDiscussionsConnector({ repo: REPO, token: TOKEN, apiUrl, sleep: async () => undefined }))).rejects.toMatchObject({ code: "RATE_LIMITED" });
    fake.rateLimit = { remaining: 4990, resetAt: new Date(Date.now() + 3_600_000).toISOString(), cost: 1 };
  });
});
