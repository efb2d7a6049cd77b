import { type Logger, LogLevel, WebAPIPlatformError, WebClient } from "@slack/web-api";
import { LlamadeskError } from "../../src/errors.js";
import { toSlackUser, type SlackUser } from "../slack-shared/SlackUser.js";

export interface SlackWebApiOptions {
  token: string;
  /** For error messages: where the token came from, e.g. "SLACK_BOT_TOKEN". Defaults to "the Slack token". */
  tokenName?: string;
  /** Web API base URL. Defaults to Slack's own. */
  apiUrl?: string;
  /** Items per page. Defaults to 200 (Slack's recommended maximum). */
  pageSize?: number;
  /** Retries of a request that failed or was rate-limited (each 429 first waits its Retry-After). Defaults to 5. */
  retries?: number;
  /** Per-request timeout in milliseconds. Defaults to 30000. */
  timeoutMs?: number;
}

/** The Slack error code behind a SOURCE_FAILED error ("channel_not_found", "not_in_channel"), if there is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const cause = error instanceof LlamadeskError ? error.cause : undefined;
  return cause instanceof WebAPIPlatformError ? cause.data.error : undefined;
}

/** Answers that mean the token itself is wrong: no request with it will work. */
const AUTH_ERRORS = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type", "no_permission", "missing_scope"]);

/**
 * The few Web API calls a channel pull makes, through @slack/web-api's WebClient
 * (which waits out a 429's Retry-After, pausing its queue, then retries with backoff),
 * with pagination walked and failures turned into coded errors that never include the token.
 */
export class SlackWebApi {
  private readonly client: WebClient;
  private readonly users = new Map<string, SlackUser | undefined>();
  private readonly pageSize: number;

  constructor(private readonly options: SlackWebApiOptions) {
    this.pageSize = options.pageSize ?? 200;
    this.client = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      // WebClient waits Retry-After itself before each retry; this backoff comes on top and paces other failures.
      retryConfig: { retries: options.retries ?? 5, factor: 2, minTimeout: 500, maxTimeout: 30_000, randomize: true },
      timeout: options.timeoutMs ?? 30_000,
      logger: silentLogger,
    });
  }

  /** The workspace URL ("https://acme.slack.com/"), checking the token on the way. */
  async workspaceUrl(): Promise<string | undefined> {
    const result = await this.call("auth.test", () => this.client.auth.test());
    return result.url;
  }

  /** The channel's name; undefined without the channels:read/groups:read scope (threads then show the id). */
  async channelName(channel: string): Promise<string | undefined> {
    const result = await this.attempt("conversations.info", () => this.client.conversations.info({ channel }), ["missing_scope"]);
    return "tolerated" in result ? undefined : result.channel?.name;
  }

  /** Top-level messages (and tombstones, broadcasts) from `oldest` on, inclusive, newest first, page by page. */
  async *history(channel: string, oldest: string | undefined): AsyncGenerator<unknown> {
    let cursor: string | undefined;
    do {
      const args = { channel, limit: this.pageSize, ...(oldest ? { oldest, inclusive: true } : {}), ...(cursor ? { cursor } : {}) };
      const page = await this.call("conversations.history", () => this.client.conversations.history(args));
      yield* page.messages ?? [];
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }

  /** A thread's parent and replies, oldest first; undefined when the thread is gone. */
  async replies(channel: string, ts: string): Promise<unknown[] | undefined> {
    const messages: unknown[] = [];
    let cursor: string | undefined;
    do {
      const args = { channel, ts, limit: this.pageSize, ...(cursor ? { cursor } : {}) };
      const page = await this.attempt("conversations.replies", () => this.client.conversations.replies(args), ["thread_not_found"]);
      if ("tolerated" in page) return undefined;
      messages.push(...(page.messages ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return messages;
  }

  /** Looks up the users not seen yet (users.info); unknown ids stay unresolved. */
  async loadUsers(ids: Iterable<string>): Promise<void> {
    for (const id of ids) {
      if (this.users.has(id)) continue;
      const result = await this.attempt("users.info", () => this.client.users.info({ user: id }), ["user_not_found", "user_not_visible"]);
      const user = "tolerated" in result ? "unknown" : toSlackUser(result.user);
      this.users.set(id, typeof user === "string" ? undefined : user);
    }
  }

  user(id: string): SlackUser | undefined {
    return this.users.get(id);
  }

  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    const result = await this.attempt(method, run, []);
    return result as T;
  }

  /**
   * Runs one call; a platform error listed in `tolerated` comes back as `{ tolerated: code }`,
   * other failures as coded errors (a platform error keeps the WebClient error, which holds no token, as `cause`).
   */
  private async attempt<T>(method: string, run: () => Promise<T>, tolerated: readonly string[]): Promise<T | { tolerated: string }> {
    const tokenName = this.options.tokenName ?? "the Slack token";
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof WebAPIPlatformError)) {
        const reason = this.scrub(error instanceof Error ? error.message : String(error));
        throw new LlamadeskError("SOURCE_FAILED", `slack-api: ${method} failed after ${this.options.retries ?? 5} retries: ${reason}. Check the network and apiUrl, then sync again.`);
      }
      const code = error.data.error;
      if (tolerated.includes(code)) return { tolerated: code };
      if (code === "missing_scope") {
        const { needed } = error.data as { needed?: unknown };
        const scope = typeof needed === "string" ? `the "${needed}" scope` : "a scope";
        throw new LlamadeskError("SOURCE_AUTH_FAILED", `slack-api: the token in ${tokenName} lacks ${scope}, needed for ${method}: add it under OAuth & Permissions, reinstall the app and update ${tokenName}`, { cause: error });
      }
      if (AUTH_ERRORS.has(code)) {
        throw new LlamadeskError("SOURCE_AUTH_FAILED", `slack-api: Slack refused the token in ${tokenName} (${code}): set it to a valid bot token (xoxb-...) of the workspace`, { cause: error });
      }
      throw new LlamadeskError("SOURCE_FAILED", `slack-api: ${method} failed: ${code}`, { cause: error });
    }
  }

  /** WebClient messages hold no token, but a proxy's error page might echo it back. */
  private scrub(text: string): string {
    return text.split(this.options.token).join("[token]");
  }
}

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};
