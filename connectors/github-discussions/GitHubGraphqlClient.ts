import { LlamadeskError } from "../../src/errors.js";

export interface GitHubGraphqlClientOptions {
  token: string;
  /** Named in auth errors instead of the token, e.g. "GITHUB_TOKEN". */
  tokenSource: string;
  /** The GraphQL endpoint. Defaults to GitHub's; GitHub Enterprise Server: "https://github.example.com/api/graphql". */
  apiUrl?: string;
  /** Longest wait for a rate limit to reset before giving up with RATE_LIMITED. Defaults to 15 minutes. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Sleeps; tests pass a fake clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** Below this many points left, wait for the reset instead of sending the next query. */
const LOW_WATER = 10;
const MAX_ATTEMPTS = 4;

/**
 * GitHub's GraphQL API over fetch: bearer auth, the primary rate limit (`rateLimit { remaining
 * resetAt }`, read from every answer) waited out before it runs dry, secondary limits (403/429 with
 * `retry-after`, or `x-ratelimit-remaining: 0` with `x-ratelimit-reset`) retried after the wait, and
 * auth and GraphQL errors turned into coded errors that say what to fix.
 */
export class GitHubGraphqlClient {
  private readonly apiUrl: string;
  private resumeAt = 0;

  constructor(private readonly options: GitHubGraphqlClientOptions) {
    this.apiUrl = options.apiUrl ?? "https://api.github.com/graphql";
  }

  async query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.waitUntil(this.resumeAt);
      const response = await fetch(this.apiUrl, {
        method: "POST",
        headers: { authorization: `bearer ${this.options.token}`, "content-type": "application/json", "user-agent": "llamadesk" },
        body: JSON.stringify({ query, variables }),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      if (response.status === 401) {
        await response.body?.cancel();
        throw new LlamadeskError("SOURCE_AUTH_FAILED", `github-discussions: GitHub refused the token in ${this.options.tokenSource} (HTTP 401, bad credentials): set it to a token with read access to the repository's discussions`);
      }
      const waitMs = secondaryWait(response);
      if (waitMs !== undefined) {
        await response.body?.cancel();
        if (attempt >= MAX_ATTEMPTS) throw rateLimited(`GitHub kept answering HTTP ${response.status} (secondary rate limit)`);
        this.resumeAt = Date.now() + waitMs;
        continue;
      }
      if (!response.ok) {
        const text = await response.text();
        throw new LlamadeskError("SOURCE_FAILED", `github-discussions: GitHub answered HTTP ${response.status}: ${text.slice(0, 200)}`);
      }
      const body = (await response.json()) as { data?: T & { rateLimit?: { remaining: number; resetAt: string } }; errors?: { type?: string; message: string }[] };
      const limit = body.data?.rateLimit;
      if (limit && limit.remaining < LOW_WATER) this.resumeAt = Math.max(this.resumeAt, Date.parse(limit.resetAt));
      const errors = body.errors ?? [];
      if (errors.some((e) => e.type === "RATE_LIMITED")) {
        if (attempt >= MAX_ATTEMPTS) throw rateLimited("GitHub kept answering RATE_LIMITED");
        this.resumeAt = Math.max(this.resumeAt, limit ? Date.parse(limit.resetAt) : Date.now() + 60_000);
        continue;
      }
      if (errors.length > 0) {
        const first = errors[0]!;
        if (first.type === "NOT_FOUND") throw new LlamadeskError("SOURCE_CONFIG_INVALID", `github-discussions: ${first.message}: check "repo" (owner/name) and that the token can read it`);
        if (first.type === "FORBIDDEN" || first.type === "INSUFFICIENT_SCOPES") throw new LlamadeskError("SOURCE_AUTH_FAILED", `github-discussions: ${first.message}: the token in ${this.options.tokenSource} needs read access to discussions (classic: "repo" or "public_repo"; fine-grained: Discussions read)`);
        throw new LlamadeskError("SOURCE_FAILED", `github-discussions: GitHub answered: ${errors.map((e) => e.message).join("; ")}`);
      }
      if (!body.data) throw new LlamadeskError("SOURCE_FAILED", "github-discussions: GitHub's answer had no data");
      return body.data;
    }
  }

  private async waitUntil(at: number): Promise<void> {
    const ms = at - Date.now();
    if (ms <= 0) return;
    if (ms > (this.options.maxWaitMs ?? 15 * 60_000)) throw rateLimited(`the rate limit resets only at ${new Date(at).toISOString()}`);
    await (this.options.sleep ?? ((t) => new Promise((resolve) => setTimeout(resolve, t))))(ms);
  }
}

function secondaryWait(response: Response): number | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const retryAfter = Number(response.headers.get("retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && response.headers.has("retry-after")) return retryAfter * 1000;
  if (response.headers.get("x-ratelimit-remaining") === "0") return Math.max(0, Number(response.headers.get("x-ratelimit-reset")) * 1000 - Date.now());
  return response.status === 429 ? 60_000 : undefined;
}

function rateLimited(why: string): LlamadeskError {
  return new LlamadeskError("RATE_LIMITED", `github-discussions: ${why}; nothing was changed, sync again later (or raise the limit with a GitHub App token)`);
}
