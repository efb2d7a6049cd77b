import { Client, Events, GatewayIntentBits, MessageFlags, Partials, type Interaction } from "discord.js";
import type { Bot } from "../../bot.js";
import { LlamadeskError } from "../../errors.js";
import type { Channel } from "../Channel.js";
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
  private client: Client | undefined;
  private stopping = false;
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly answers = new Set<AbortController>();

  constructor(options: DiscordChannelOptions) {
    this.options = options;
  }

  /** The connected discord.js client (undefined before `start()` and after `stop()`). */
  get discordClient(): Client | undefined {
    return this.client;
  }

  async start(bot: Bot): Promise<void> {
    if (this.client) throw new LlamadeskError("CHANNEL_START_FAILED", "This Discord channel is running already: stop() it before starting it again.");
    const { options } = this;
    const log = options.log ?? (() => undefined);
    const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];
    if (options.messageContent) intents.push(GatewayIntentBits.MessageContent);
    const client = new Client({
      intents,
      // Reactions on messages sent before a restart (not in the cache) still arrive.
      partials: [Partials.Message, Partials.Reaction],
      allowedMentions: { parse: [] },
      rest: options.apiUrl ? { api: options.apiUrl } : {},
    });
    this.client = client;
    this.stopping = false;
    const ctx: DiscordContext = { bot, client: client as Client<true>, config: options, log, track: (work) => this.track(work) };
    const on = <A extends unknown[]>(what: string, handler: (...args: A) => Promise<void>) => (...args: A) => this.run(what, log, () => handler(...args));

    client.on(Events.MessageCreate, on("message", (message) => handleMessage(ctx, message)));
    client.on(Events.ThreadCreate, on("forum post", (thread, newlyCreated) => handleForumPost(ctx, thread, newlyCreated)));
    client.on(Events.MessageReactionAdd, on("reaction", (reaction, user) => handleReaction(ctx, reaction, user)));
    client.on(Events.InteractionCreate, on("interaction", (interaction) => this.onInteraction(ctx, interaction)));
    client.on(Events.ShardError, (error) => log(`gateway error: ${error.message}`));
    client.on(Events.Warn, (message) => log(`warning: ${message}`));
    client.rest.on("rateLimited", (info) => log(`rate limited on ${info.method} ${info.route}: retrying in ${info.retryAfter} ms`));

    try {
      await connectClient(client, options, options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      this.client = undefined;
      await client.destroy();
      throw error;
    }
    client.on(Events.ShardDisconnect, (event) => {
      const error = new LlamadeskError("CHANNEL_START_FAILED", `Discord closed the connection for good (close code ${event.code}); restart llamadesk discord.`);
      if (options.onFatalError) options.onFatalError(error);
      else log(error.message);
    });
    this.checkSetup(client as Client<true>, log);
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client || this.stopping) return;
    this.stopping = true;
    for (const answer of this.answers) answer.abort(new LlamadeskError("ABORTED", "The Discord channel is stopping."));
    // Handlers finish: cancelled answers say so in their message before the connection closes.
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    await client.destroy();
    this.client = undefined;
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

  private run(what: string, log: (line: string) => void, handler: () => Promise<void>): void {
    if (this.stopping) return;
    const task = handler()
      .catch((error: unknown) => log(`${what} failed: ${describe(error)}`))
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  private async track<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    if (this.stopping) return undefined;
    const controller = new AbortController();
    this.answers.add(controller);
    try {
      return await work(controller.signal);
    } finally {
      this.answers.delete(controller);
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
