import type { ChatThread } from "../../src/chat/ChatThread.js";
import { chatThreadToSourceDoc } from "../../src/chat/chatThreadToSourceDoc.js";
import { LlamadeskError } from "../../src/errors.js";
import type { Connector, PullOptions, SourceDoc } from "../../src/types.js";
import { COMMENTS_QUERY, DISCUSSIONS_QUERY, type CommentsData, type DiscussionsData, type GqlComment, type GqlDiscussion } from "./discussionQueries.js";
import { GitHubGraphqlClient } from "./GitHubGraphqlClient.js";
import { toDiscussionThread } from "./toDiscussionThread.js";

export interface GitHubDiscussionsConnectorOptions {
  /** "owner/name". */
  repo: string;
  token: string;
  /** Named in auth errors instead of the token, e.g. "GITHUB_TOKEN". */
  tokenSource?: string;
  /** Category names or slugs to read, e.g. ["Q&A"]. Defaults to every category. */
  categories?: string[];
  /** Logins whose replies are support answers, besides OWNER/MEMBER/COLLABORATOR. */
  supportUsers?: string[];
  /** The GraphQL endpoint. Defaults to GitHub's; GitHub Enterprise Server: "https://github.example.com/api/graphql". */
  apiUrl?: string;
  /** Hours between full listings, which catch deleted discussions (reads in between stop at the last seen update). Defaults to 24. */
  fullListingHours?: number;
  /** The clock, for tests. Defaults to Date.now. */
  now?: () => number;
  /** For tests: sleeps instead of waiting out a rate limit for real. */
  sleep?: (ms: number) => Promise<void>;
}

interface State {
  version: 1;
  /** `updatedAt` of the newest discussion seen. */
  cursor?: string;
  /** When the last full listing ran (ISO). */
  listedAt?: string;
  threads: Record<string, ChatThread>;
}

/** Reads again this far before the cursor: updates landing while a read pages through are not missed. */
const OVERLAP_MS = 5 * 60_000;

/**
 * Answered (and unanswered) GitHub Discussions as past support conversations, through the GraphQL
 * API: each discussion a `ChatThread` (see `toDiscussionThread`), so sync mines the answered ones into
 * the review queue. Incremental: discussions are read newest update first until the saved cursor;
 * every `fullListingHours` all are listed again, and the ones no longer there are deleted.
 */
export class GitHubDiscussionsConnector implements Connector {
  readonly name = "github-discussions";
  readonly origin: string;
  private readonly owner: string;
  private readonly repoName: string;

  constructor(private readonly options: GitHubDiscussionsConnectorOptions) {
    const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(options.repo ?? "");
    if (!match) throw new LlamadeskError("INVALID_OPTION", `github-discussions: \`repo\` must be "owner/name", e.g. "acme/widgets" (got "${options.repo}")`);
    if (!options.token) throw new LlamadeskError("SOURCE_CONFIG_INVALID", `github-discussions: no token: set ${options.tokenSource ?? "the token option"}`);
    this.owner = match[1]!;
    this.repoName = match[2]!;
    this.origin = `${options.apiUrl ?? "github"}:${options.repo.toLowerCase()}`;
  }

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    const now = (this.options.now ?? Date.now)();
    const previous = readState(options.state);
    if (previous === "unusable") options.onIssue?.({ file: "github-discussions state", message: "the saved state is not usable, so every discussion is read again" });
    const state: State = previous === "unusable" ? { version: 1, threads: {} } : previous;
    const client = new GitHubGraphqlClient({
      token: this.options.token,
      tokenSource: this.options.tokenSource ?? "the token option",
      ...(this.options.apiUrl ? { apiUrl: this.options.apiUrl } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
    });
    const full = state.cursor === undefined || state.listedAt === undefined || now - Date.parse(state.listedAt) >= (this.options.fullListingHours ?? 24) * 3_600_000;
    const stopBefore = full ? undefined : Date.parse(state.cursor!) - OVERLAP_MS;
    const wanted = this.options.categories?.map((c) => c.toLowerCase());
    const seen = new Map<string, ChatThread>();
    let cursor = state.cursor;
    let after: string | null = null;
    read: for (;;) {
      options.signal?.throwIfAborted();
      const data: DiscussionsData = await client.query<DiscussionsData>(DISCUSSIONS_QUERY, { owner: this.owner, name: this.repoName, after });
      if (!data.repository) throw new LlamadeskError("SOURCE_CONFIG_INVALID", `github-discussions: the repository ${this.options.repo} was not found: check "repo" and that the token can read it`);
      const page = data.repository.discussions;
      for (const discussion of page.nodes) {
        if (stopBefore !== undefined && Date.parse(discussion.updatedAt) < stopBefore) break read;
        if (cursor === undefined || discussion.updatedAt > cursor) cursor = discussion.updatedAt;
        if (wanted && !wanted.includes(discussion.category.name.toLowerCase()) && !wanted.includes(discussion.category.slug.toLowerCase())) continue;
        const comments = await this.allComments(client, discussion);
        const thread = toDiscussionThread(discussion, comments, { repo: this.options.repo, ...(this.options.supportUsers ? { supportUsers: this.options.supportUsers } : {}) });
        seen.set(thread.id, thread);
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    // A full listing is the whole truth (what it did not list was deleted, or left the categories);
    // an incremental read only adds to what was known.
    const threads = full ? Object.fromEntries(seen) : { ...state.threads, ...Object.fromEntries(seen) };
    for (const thread of Object.values(threads).sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }))) yield chatThreadToSourceDoc(thread);
    options.saveState?.({ version: 1, ...(cursor ? { cursor } : {}), listedAt: full ? new Date(now).toISOString() : state.listedAt, threads } satisfies State);
  }

  private async allComments(client: GitHubGraphqlClient, discussion: GqlDiscussion): Promise<GqlComment[]> {
    const comments = [...discussion.comments.nodes];
    let info = discussion.comments.pageInfo;
    while (info.hasNextPage && info.endCursor) {
      const data = await client.query<CommentsData>(COMMENTS_QUERY, { id: discussion.id, after: info.endCursor });
      if (!data.node) break; // deleted while we read it: the next listing drops it
      comments.push(...data.node.comments.nodes);
      info = data.node.comments.pageInfo;
    }
    return comments;
  }
}

function readState(raw: unknown): State | "unusable" {
  if (raw === undefined || raw === null) return { version: 1, threads: {} };
  const state = raw as Partial<State>;
  return typeof raw === "object" && state.version === 1 && typeof state.threads === "object" && state.threads !== null ? (state as State) : "unusable";
}
