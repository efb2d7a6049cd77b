import { createHash } from "node:crypto";
import { Client, Events, GatewayIntentBits, MessageFlags, Partials, type Interaction } from "discord.js";
import type { Bot } from "../../bot.js";
import { LlamadeskError } from "../../errors.js";
import type { Channel } from "../Channel.js";
import { InFlight } from "../InFlight.js";
import { InProcessLeadership, type Leadership, type Lease } from "../Leadership.js";
import { describe } from "./answerConversation.js";
import { connectClient } from "./connectClient.js";
import type { DiscordConfig } from "./discordConfig.js";
import { firstSighting, type DiscordContext } from "./DiscordContext.js";
import { handleAsk } from "./handleAsk.js";
import { handleButton } from "./handleButton.js";
import { handleForumPost } from "./handleForumPost.js";
import { handleMessage } from "./handleMessage.js";
import { handleReaction } from "./handleReaction.js";
import { ASK_COMMAND_NAME } from "./registerCommands.js";

export interface DiscordChannelOptions extends DiscordConfig {
  /** Where the channel reports what it does and what failed (one line each, never a token). Defaults to nowhere. */
  log?: (line: string) => void;
  /** Discord closed the connection for good after start (token reset, intent taken away). Defaults to logging it. */
  onFatalError?: (error: LlamadeskError) => void;
  /** How long `start()` waits for the gateway to be ready. Defaults to 60000 ms. */
  readyTimeoutMs?: number;
  /**
   * Which replica holds the gateway connection when several run this bot (the same token): only the leader
   * connects; `start()` of the others stands by until the lead is theirs, and the leader disconnects if it
   * loses the lead. Defaults to an `InProcessLeadership` of this channel's own: it leads at once.
   */
  leadership?: Leadership;
}

/**
 * The Discord bot: mentions open a thread and are answered there, follow-ups in the thread continue the
 * conversation, `/ask` replies in place, posts in served forums are answered and tagged, answers stream by
 * edits with their sources as an embed and 👍/👎/"Talk to a human" buttons. Needs the Message Content
 * intent only with `messageContent` (the default): for follow-ups without a mention and forum posts.
 */
export class DiscordChannel implements Channel {
  readonly name = "discord";
  private readonly options: DiscordChannelOptions;
  private readonly leadership: Leadership;
  private client: Client | undefined;
  private inFlight: InFlight | undefined;
  private lease: Lease | undefined;
  /** From `start()` to `stop()`; aborted by `stop()`, which ends standing by and connecting. */
  private running: AbortController | undefined;
  /** Standing by and connecting, from `start()` or after the lead was lost: `stop()` waits for it to end. */
  private leading: Promise<void> | undefined;
  private disconnecting: Promise<void> | undefined;

  constructor(options: DiscordChannelOptions) {
    this.options = options;
    this.leadership = options.leadership ?? new InProcessLeadership();
  }

  /** The connected discord.js client (undefined before `start()`, while standing by, and after `stop()`). */
  get discordClient(): Client | undefined {
    return this.client;
  }

  /** Resolves once this replica leads and is connected; until then it stands by (`stop()` ends that: ABORTED). */
  async start(bot: Bot): Promise<void> {
    if (this.running) throw new LlamadeskError("CHANNEL_START_FAILED", "This Discord channel is running already: stop() it before starting it again.");
    const running = new AbortController();
    this.running = running;
    try {
      await (this.leading = this.lead(bot, running.signal));
    } catch (error) {
      if (this.running === running) this.running = undefined;
      throw error;
    }
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.abort(new LlamadeskError("ABORTED", "The Discord channel is stopping."));
    await this.leading?.catch(() => undefined);
    await this.disconnect();
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
    if (this.running === running) this.running = undefined;
  }

  /** Waits for the lead, then connects; if the lead is lost, disconnects and stands by again. */
  private async lead(bot: Bot, signal: AbortSignal): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    let stoodBy = false;
    const lease = await this.leadership.acquire(gatewayLeadName(this.options.token), {
      signal,
      onStandby: () => ((stoodBy = true), log("standing by: another replica holds the Discord gateway")),
      onError: (error) => log(`standing by; cannot reach the lead's holder for now: ${error.message}`),
    });
    if (stoodBy) log("taking over the Discord gateway");
    this.lease = lease;
    try {
      await this.connect(bot, AbortSignal.any([signal, lease.lost]), log);
    } catch (error) {
      this.lease = undefined;
      await lease.release();
      throw error;
    }
    if (lease.lost.aborted) void this.failOver(bot, lease, log);
    else lease.lost.addEventListener("abort", () => void this.failOver(bot, lease, log), { once: true });
  }

  /** The lead was lost (its database connection failed): another replica may connect now, so this one must not stay. */
  private async failOver(bot: Bot, lease: Lease, log: (line: string) => void): Promise<void> {
    const running = this.running;
    if (!running || running.signal.aborted || this.lease !== lease) return;
    log(`${(lease.lost.reason as Error).message} Disconnecting from the Discord gateway.`);
    this.lease = undefined;
    await this.disconnect();
    try {
      await (this.leading = this.lead(bot, running.signal));
    } catch (error) {
      if (running.signal.aborted) return;
      const fatal = error instanceof LlamadeskError ? error : new LlamadeskError("CHANNEL_START_FAILED", `Taking over the Discord gateway failed: ${describe(error)}`, { cause: error });
      if (this.options.onFatalError) this.options.onFatalError(fatal);
      else log(fatal.message);
    }
  }

  private async connect(bot: Bot, signal: AbortSignal, log: (line: string) => void): Promise<void> {
    const { options } = this;
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];
    if (options.messageContent) intents.push(GatewayIntentBits.MessageContent);
    const client = new Client({
      intents,
      // Reactions on messages sent before a restart (not in the cache) still arrive.
      partials: [Partials.Message, Partials.Reaction],
      allowedMentions: { parse: [] },
      rest: options.apiUrl ? { api: options.apiUrl } : {},
    });
    const inFlight = new InFlight();
    const ctx: DiscordContext = { bot, client: client as Client<true>, config: options, log, track: (work) => inFlight.run(work) };
    const on =
      <A extends unknown[]>(what: string, handler: (...args: A) => Promise<void>) =>
      (...args: A) =>
        inFlight.spawn(() => handler(...args), (error) => log(`${what} failed: ${describe(error)}`));

    client.on(Events.MessageCreate, on("message", (message) => handleMessage(ctx, message)));
    client.on(Events.ThreadCreate, on("forum post", (thread, newlyCreated) => handleForumPost(ctx, thread, newlyCreated)));
    client.on(Events.MessageReactionAdd, on("reaction", (reaction, user) => handleReaction(ctx, reaction, user)));
    client.on(Events.InteractionCreate, on("interaction", (interaction) => this.onInteraction(ctx, interaction)));
    client.on(Events.ShardError, (error) => log(`gateway error: ${error.message}`));
    client.on(Events.Warn, (message) => log(`warning: ${message}`));
    client.rest.on("rateLimited", (info) => log(`rate limited on ${info.method} ${info.route}: retrying in ${info.retryAfter} ms`));

    try {
      await connectClient(client, options, options.readyTimeoutMs ?? 60_000, signal);
    } catch (error) {
      await inFlight.stop();
      await client.destroy();
      throw error;
    }
    client.on(Events.ShardDisconnect, (event) => {
      const error = new LlamadeskError("CHANNEL_START_FAILED", `Discord closed the connection for good (close code ${event.code}); restart llamadesk discord.`);
      if (options.onFatalError) options.onFatalError(error);
      else log(error.message);
    });
    this.client = client;
    this.inFlight = inFlight;
    this.checkSetup(client as Client<true>, log);
  }

  /** Cancels answers in progress and lets their handlers finish (their messages say so), then closes the gateway connection. */
  private disconnect(): Promise<void> {
    this.disconnecting ??= (async () => {
      const { client, inFlight } = this;
      await inFlight?.stop({ reason: new LlamadeskError("ABORTED", "The Discord channel is stopping.") });
      await client?.destroy();
      this.client = undefined;
      this.inFlight = undefined;
    })().finally(() => (this.disconnecting = undefined));
    return this.disconnecting;
  }

  private async onInteraction(ctx: DiscordContext, interaction: Interaction): Promise<void> {
    const ask = interaction.isChatInputCommand() && interaction.commandName === ASK_COMMAND_NAME;
    if (!ask && !interaction.isButton()) return;
    try {
      if (!(await firstSighting(ctx, `interaction:${interaction.id}`))) return;
      if (ask) await handleAsk(ctx, interaction);
      else if (interaction.isButton()) await handleButton(ctx, interaction);
    } catch (error) {
      // The member sees a short apology instead of "The application did not respond".
      if (interaction.isRepliable()) {
        const apology = { content: "Sorry, something went wrong. Please try again.", flags: MessageFlags.Ephemeral } as const;
        await (interaction.deferred || interaction.replied ? interaction.followUp(apology) : interaction.reply(apology)).catch(() => undefined);
      }
      throw error;
    }
  }

  /** Says what will not work: channels it cannot see, an application id that is not this bot's. */
  private checkSetup(client: Client<true>, log: (line: string) => void): void {
    const { options } = this;
    log(`connected as ${client.user.tag} in ${client.guilds.cache.size} server(s)`);
    if (client.application.id !== options.applicationId) {
      log(`warning: DISCORD_APPLICATION_ID is ${options.applicationId} but this bot's application is ${client.application.id}: /ask registered for the other application will not reach this bot.`);
    }
    for (const id of options.channels ?? []) {
      if (!client.channels.cache.has(id)) log(`warning: channel ${id} (DISCORD_CHANNELS) is not visible to the bot: invite it to that server and let it view the channel.`);
    }
    if (!options.channels) log("no channels configured: answering mentions in every channel the bot can read; forums are auto-answered only when listed in DISCORD_CHANNELS.");
  }
}

/** What replicas of one bot agree on to elect who holds its gateway: a hash of the token, never the token itself. */
export function gatewayLeadName(token: string): string {
  return `discord-gateway:${createHash("sha256").update(token).digest("hex").slice(0, 32)}`;
}
