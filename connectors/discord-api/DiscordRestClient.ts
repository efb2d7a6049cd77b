import { setTimeout as sleep } from "node:timers/promises";
import { DiscordAPIError, HTTPError, RateLimitError, REST, Routes, type APIChannel, type APIGuildMember, type APIMessage, type APIRole, type APIThreadChannel, type RESTGetAPIChannelThreadsArchivedQuery } from "discord.js";
import { LlamadeskError } from "../../src/errors.js";

export interface DiscordRestClientOptions {
  token: string;
  /** REST base URL, without the version. Defaults to Discord's own API. */
  apiUrl?: string;
  /** Names where the token came from in auth errors, e.g. "DISCORD_TOKEN". Defaults to "the token option". */
  tokenSource?: string;
  /** Per-request timeout in milliseconds. Defaults to 15 000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A channel or member the bot cannot see (403) or that does not exist (404): the caller reports it and goes on. */
export class DiscordAccessError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    reason: string,
  ) {
    super(`${status === 404 ? "not found" : "no access"} (${status} ${reason}) on GET ${route}`);
    this.name = "DiscordAccessError";
  }
}

const PAGE = 100;
/** Tries of a request that keeps getting a 429 without a Retry-After header. */
const BARE_429_TRIES = 5;

/**
 * The few Discord REST reads the connector needs, through discord.js's `REST`, which
 * queues requests per rate-limit bucket and, on a 429, waits for the `Retry-After`
 * header (plus 50 ms) and retries. It ignores the body's `retry_after` and would retry a
 * 429 that lacks the header at once, without end (a proxy that drops headers), so such
 * a 429 comes back here and is retried after 1, 2, 4, 8 s, then fails RATE_LIMITED.
 * Errors become coded LlamadeskErrors that never hold the token: 401 ->
 * SOURCE_AUTH_FAILED, 403/404 -> DiscordAccessError, the rest SOURCE_FAILED.
 */
export class DiscordRestClient {
  private readonly rest: REST;
  private readonly options: DiscordRestClientOptions;

  constructor(options: DiscordRestClientOptions) {
    this.options = options;
    this.rest = new REST({
      ...(options.apiUrl ? { api: options.apiUrl } : {}),
      timeout: options.timeoutMs ?? 15_000,
      // Only a 429 without Retry-After (REST's own wait would be 0): handled in get().
      rejectOnRateLimit: (limit) => limit.retryAfter <= 0,
    }).setToken(options.token);
  }

  channel(id: string): Promise<APIChannel> {
    return this.get(Routes.channel(id));
  }

  /** One page of a channel's messages, newest first, as Discord returns them. */
  messages(channelId: string, page: { before?: string; after?: string }): Promise<APIMessage[]> {
    return this.get(Routes.channelMessages(channelId), { limit: String(PAGE), ...page });
  }

  async activeThreads(guildId: string): Promise<APIThreadChannel[]> {
    return (await this.get<{ threads: APIThreadChannel[] }>(Routes.guildActiveThreads(guildId))).threads;
  }

  /** Every archived public thread of a channel, paging back by archive time. */
  async archivedPublicThreads(channelId: string): Promise<APIThreadChannel[]> {
    const threads: APIThreadChannel[] = [];
    let before: string | undefined;
    for (;;) {
      const query: RESTGetAPIChannelThreadsArchivedQuery = { limit: PAGE, ...(before ? { before } : {}) };
      const page = await this.get<{ threads: APIThreadChannel[]; has_more?: boolean }>(Routes.channelThreads(channelId, "public"), stringValues(query));
      threads.push(...page.threads);
      const last = page.threads.at(-1)?.thread_metadata?.archive_timestamp;
      if (!page.has_more || last === undefined || last === before) return threads;
      before = last;
    }
  }

  guildRoles(guildId: string): Promise<APIRole[]> {
    return this.get(Routes.guildRoles(guildId));
  }

  guildChannels(guildId: string): Promise<APIChannel[]> {
    return this.get(Routes.guildChannels(guildId));
  }

  member(guildId: string, userId: string): Promise<APIGuildMember> {
    return this.get(Routes.guildMember(guildId, userId));
  }

  /** Stops the REST manager's sweep timers. */
  dispose(): void {
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
  }

  private async get<T>(route: `/${string}`, query?: Record<string, string>): Promise<T> {
    const { signal } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.rest.get(route, { ...(query ? { query: new URLSearchParams(query) } : {}), ...(signal ? { signal } : {}) })) as T;
      } catch (error) {
        signal?.throwIfAborted();
        if (!(error instanceof RateLimitError)) throw this.failure(route, error);
        if (attempt === BARE_429_TRIES) {
          throw new LlamadeskError("RATE_LIMITED", `discord-api: GET ${route} was refused with 429 (rate limited) ${attempt} times, without a Retry-After header saying how long to wait. Try the sync again later.`);
        }
        await sleep(1000 * 2 ** (attempt - 1), undefined, signal ? { signal } : {});
      }
    }
  }

  private failure(route: string, error: unknown): Error {
    if (error instanceof DiscordAPIError) {
      if (error.status === 401) {
        return new LlamadeskError(
          "SOURCE_AUTH_FAILED",
          `discord-api: Discord rejected the bot token (401 on GET ${route}). Check ${this.options.tokenSource ?? "the token option"}: copy the token again from the Developer Portal (your app > Bot > Reset Token).`,
        );
      }
      if (error.status === 403 || error.status === 404) return new DiscordAccessError(route, error.status, error.message);
      return new LlamadeskError("SOURCE_FAILED", `discord-api: GET ${route} failed: ${error.status} ${error.message}`);
    }
    if (error instanceof HTTPError) {
      return new LlamadeskError("SOURCE_FAILED", `discord-api: GET ${route} failed with ${error.status} ${error.message} after retries; Discord may be having trouble, try the sync again later.`);
    }
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return new LlamadeskError("SOURCE_FAILED", `discord-api: cannot reach the Discord API${this.options.apiUrl ? ` at ${this.options.apiUrl}` : ""} (${reason}). Check the network, or the apiUrl option.`, { cause: error });
  }
}

function stringValues(query: object): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)]));
}
