import type { AddressInfo } from "node:net";
import { App, LogLevel, type Logger } from "@slack/bolt";
import type { RetryOptions, WebClientOptions } from "@slack/web-api";
import type { Bot } from "../../bot.js";
import { readEnv, type EnvConfig } from "../../config.js";
import { LlamadeskError } from "../../errors.js";
import type { Channel } from "../Channel.js";
import { InFlight } from "../InFlight.js";
import { registerActionHandlers } from "./actionHandlers.js";
import { checkBotToken, startFailure } from "./checkBotToken.js";
import { registerCommandHandler } from "./commandHandler.js";
import { registerMessageHandlers } from "./messageHandlers.js";
import { replyWithAnswer } from "./replyWithAnswer.js";
import { parseSlackConfig, resolveSlackSettings, type SlackConfig, type SlackCredentials, type SlackSettings } from "./slackConfig.js";
import { createSlackLogger } from "./slackLogger.js";
import { createSlackReceiver } from "./slackReceiver.js";
import type { SlackRuntime } from "./SlackRuntime.js";

export interface SlackChannelOptions extends SlackConfig, SlackCredentials {
  /** The config file's `slack` section, checked here; the options above win over it. Defaults to none. */
  config?: Record<string, unknown> | undefined;
  /** Named in errors about `config` (e.g. `llamadesk.config.json`). Defaults to `"config file"`. */
  configPath?: string | undefined;
  /** Defaults to `readEnv()`: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL, PORT. */
  env?: EnvConfig;
  /** Where Bolt, the Web API client and the channel log. Defaults to stderr at `logLevel`. */
  logger?: Logger;
  /** Defaults to `info`. */
  logLevel?: LogLevel;
  /**
   * Retries of failed Web API calls (network errors, 5xx, 429s — the client waits `Retry-After` on a 429, then
   * this policy's delay, before trying again). Defaults to 3 retries, 0.5 s doubling up to 10 s.
   */
  retryConfig?: RetryOptions;
  /** How long `stop()` lets answers in progress finish before cancelling them. Defaults to 5000 ms. */
  stopGraceMs?: number;
}

const DEFAULT_RETRY: RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 10_000, randomize: true };

/**
 * The Slack bot: @mentions, DMs, thread follow-ups, `/ask`, 👍/👎, "Talk to a human" and ✅, over the Events API
 * (HTTP, signed requests) or Socket Mode, with `@slack/bolt`. Settings come from the options, then the config
 * file's `slack` section, then the environment; see README, "Slack".
 */
export class SlackChannel implements Channel {
  readonly name = "slack";
  private readonly options: SlackChannelOptions;
  private app: App | undefined;
  /** Answers in progress of the current run. */
  private answers: InFlight | undefined;
  private boundPort: number | undefined;
  private runtime: SlackRuntime | undefined;

  constructor(options: SlackChannelOptions = {}) {
    this.options = options;
  }

  /** HTTP mode: the port the events endpoint listens on (useful with port 0). */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** The checked settings, once started. */
  get settings(): SlackSettings | undefined {
    return this.runtime?.settings;
  }

  /** Checks the settings and credentials' presence and form without connecting (start() does it too). Throws CHANNEL_CONFIG_INVALID. */
  check(): SlackSettings {
    return this.resolveSettings();
  }

  async start(bot: Bot): Promise<void> {
    if (this.app) throw new LlamadeskError("CHANNEL_START_FAILED", "This Slack channel is already started; stop() it first.");
    const settings = this.resolveSettings();
    const logger = this.options.logger ?? createSlackLogger(this.options.logLevel ?? LogLevel.INFO);
    const clientOptions = (): WebClientOptions => ({ slackApiUrl: settings.apiUrl, retryConfig: this.options.retryConfig ?? DEFAULT_RETRY, logger });
    const identity = await checkBotToken(settings, clientOptions());
    const app = new App({
      token: settings.botToken,
      botId: identity.botId,
      botUserId: identity.botUserId,
      logger,
      // Bolt sets its logger to this level (INFO when not given), whatever level the logger had.
      logLevel: logger.getLevel(),
      clientOptions: clientOptions(),
      ...(settings.mode === "http"
        ? { receiver: createSlackReceiver({ signingSecret: settings.signingSecret!, path: settings.path, port: settings.port, logger }) }
        : { socketMode: true, appToken: settings.appToken! }),
    });
    app.error(async (error) => logger.error(`Slack handler failed: ${error.message}`));
    const runtime = this.createRuntime(bot, app, settings, logger, identity.botUserId);
    registerMessageHandlers(app, runtime);
    registerCommandHandler(app, runtime);
    registerActionHandlers(app, runtime);
    try {
      const started: unknown = settings.mode === "http" ? await app.start(settings.port) : await app.start();
      if (settings.mode === "http") this.boundPort = ((started as { address(): AddressInfo }).address() as AddressInfo).port;
    } catch (error) {
      await Promise.resolve(app.stop()).catch(() => {});
      throw startFailure(error, settings, "SLACK_APP_TOKEN");
    }
    this.app = app;
    this.runtime = runtime;
    logger.info(
      settings.mode === "http"
        ? `Listening for Slack on port ${this.boundPort}${settings.path} as @${identity.botName} (${identity.team}).`
        : `Connected to Slack in Socket Mode as @${identity.botName} (${identity.team}).`,
    );
  }

  async stop(): Promise<void> {
    const app = this.app;
    if (!app) return;
    this.app = undefined;
    await Promise.resolve(app.stop()).catch((error: unknown) => this.runtime?.logger.warn(`Stopping Bolt: ${(error as Error).message}`));
    await this.answers?.stop({ graceMs: this.options.stopGraceMs ?? 5000 });
  }

  private resolveSettings(): SlackSettings {
    const file = parseSlackConfig(this.options.config, `${this.options.configPath ?? "config file"}: slack`);
    const { config: _config, configPath: _path, env, logger: _logger, logLevel: _level, retryConfig: _retry, stopGraceMs: _grace, ...explicit } = this.options;
    return resolveSlackSettings({ ...parseSlackConfig(pickConfig(explicit), "SlackChannel options"), ...pickCredentials(explicit) }, file, env ?? readEnv());
  }

  private createRuntime(bot: Bot, app: App, settings: SlackSettings, logger: Logger, botUserId: string): SlackRuntime {
    const answers = (this.answers = new InFlight());
    const runtime: SlackRuntime = {
      bot,
      client: app.client,
      settings,
      logger,
      botUserId,
      answer: (request) =>
        answers.spawn(
          (signal) => replyWithAnswer(runtime, request, signal),
          (error) => logger.error(`Answering in ${request.conversationId} failed: ${(error as Error).message}`),
        ),
    };
    return runtime;
  }
}

function pickCredentials(options: SlackCredentials): SlackCredentials {
  const { botToken, signingSecret, appToken } = options;
  return { botToken, signingSecret, appToken };
}

function pickConfig(options: SlackConfig & SlackCredentials): SlackConfig {
  const { botToken: _b, signingSecret: _s, appToken: _a, ...config } = options;
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as SlackConfig;
}
