import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GqlComment, GqlDiscussion } from "./discussionQueries.js";

/** A discussion as the fake keeps it: every comment, paged out on request. */
export type FakeDiscussion = Omit<GqlDiscussion, "comments"> & { comments: GqlComment[] };

export interface FakeCall {
  operation: string;
  variables: Record<string, unknown>;
}

/**
 * GitHub's GraphQL endpoint on 127.0.0.1 for the discussions queries: bearer auth (401 "Bad
 * credentials"), `repository.discussions` ordered by UPDATED_AT DESC with cursor paging,
 * `node(id).comments` paging, `rateLimit` in every answer, NOT_FOUND for an unknown repository, and
 * scripted secondary rate limits (403 with retry-after). Records every call.
 */
export class FakeGitHubGraphql {
  readonly discussions: FakeDiscussion[] = [];
  readonly calls: FakeCall[] = [];
  rateLimit = { remaining: 4990, resetAt: new Date(Date.now() + 3_600_000).toISOString(), cost: 1 };
  /** The next this-many requests are answered 403 with `retry-after: 1` (a secondary rate limit). */
  secondaryLimits = 0;
  private server: Server | undefined;

  constructor(private readonly options: { token: string; repo: string }) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      req.on("end", () => {
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { "content-type": "application/json", ...headers });
          res.end(JSON.stringify(body));
        };
        if (req.headers.authorization !== `bearer ${this.options.token}`) return reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/graphql" });
        if (this.secondaryLimits > 0) {
          this.secondaryLimits--;
          return reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "1" });
        }
        const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, unknown> };
        const operation = /query (\w+)/.exec(query)?.[1] ?? "anonymous";
        this.calls.push({ operation, variables });
        this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
        if (operation === "Discussions") return reply(200, this.discussionsPage(query, variables));
        if (operation === "DiscussionComments") return reply(200, this.commentsPage(query, variables));
        return reply(200, { errors: [{ message: `unknown operation ${operation}` }] });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/graphql`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  callsTo(operation: string): FakeCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  private discussionsPage(query: string, variables: Record<string, unknown>): unknown {
    if (`${variables.owner}/${variables.name}` !== this.options.repo) {
      return { data: { rateLimit: this.rateLimit, repository: null }, errors: [{ type: "NOT_FOUND", path: ["repository"], message: `Could not resolve to a Repository with the name '${variables.owner}/${variables.name}'.` }] };
    }
    const size = Number(/discussions\(first: (\d+)/.exec(query)?.[1] ?? 10);
    const commentsSize = Number(/comments\(first: (\d+)/.exec(query)?.[1] ?? 10);
    const sorted = [...this.discussions].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    const start = typeof variables.after === "string" ? Number(Buffer.from(variables.after, "base64").toString()) : 0;
    const nodes = sorted.slice(start, start + size).map((d) => ({ ...d, comments: page(d.comments, 0, commentsSize) }));
    const end = start + nodes.length;
    return { data: { rateLimit: this.rateLimit, repository: { discussions: { pageInfo: { hasNextPage: end < sorted.length, endCursor: nodes.length ? cursorOf(end) : null }, nodes } } } };
  }

  private commentsPage(query: string, variables: Record<string, unknown>): unknown {
    const discussion = this.discussions.find((d) => d.id === variables.id);
    const size = Number(/comments\(first: (\d+)/.exec(query)?.[1] ?? 10);
    const start = typeof variables.after === "string" ? Number(Buffer.from(variables.after, "base64").toString()) : 0;
    return { data: { rateLimit: this.rateLimit, node: discussion ? { comments: page(discussion.comments, start, size) } : null } };
  }
}

function page(comments: readonly GqlComment[], start: number, size: number) {
  const nodes = comments.slice(start, start + size);
  const end = start + nodes.length;
  return { pageInfo: { hasNextPage: end < comments.length, endCursor: nodes.length ? cursorOf(end) : null }, nodes };
}

function cursorOf(offset: number): string {
  return Buffer.from(String(offset)).toString("base64");
}
