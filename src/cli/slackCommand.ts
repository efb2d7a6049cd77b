import { SlackChannel } from "../channels/slack/SlackChannel.js";
import { CONFIG_FILE_NAME, loadConfigFile } from "../configFile.js";
import { createLocalBot } from "../presets/createLocalBot.js";
import { localBotOptions, type BotCliOptions } from "./askCommand.js";
import { stopSignal } from "./stopSignal.js";

export interface SlackCliOptions extends BotCliOptions {
  /** Socket Mode (SLACK_APP_TOKEN) instead of HTTP. */
  socket?: boolean;
  /** HTTP mode (SLACK_SIGNING_SECRET), even when SLACK_APP_TOKEN is set. */
  http?: boolean;
  port?: number;
}

/**
 * `llamadesk slack`: the Slack bot on the local bot. Settings are checked before the index and model load;
 * it runs until SIGINT/SIGTERM, then stops taking messages, lets answers in progress finish, and exits.
 */
export async function slackCommand(options: SlackCliOptions): Promise<number> {
  const { config, path } = await loadConfigFile(options.config);
  const mode = options.socket ? "socket" : options.http ? "http" : undefined;
  const channel = new SlackChannel({
    config: config.slack,
    configPath: path ?? CONFIG_FILE_NAME,
    ...(mode ? { mode } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const settings = channel.check();
  const bot = await createLocalBot({
    ...localBotOptions(options),
    // A sync elsewhere replaced the index: say so, since answers change from the next question on.
    onIndexReload: (event) =>
      process.stderr.write("docs" in event ? `slack info: index reloaded (${event.docs} docs)\n` : `slack warn: index reload failed: ${event.error.message}\n`),
  });
  try {
    await channel.start(bot);
    process.stderr.write(
      settings.mode === "http"
        ? `llamadesk is answering on Slack: events at http://0.0.0.0:${channel.port}${settings.path}. Ctrl-C stops.\n`
        : "llamadesk is answering on Slack (Socket Mode). Ctrl-C stops.\n",
    );
    const signal = await stopSignal();
    process.stderr.write(`${signal}: stopping…\n`);
    await channel.stop();
    return 0;
  } finally {
    await channel.stop();
    await bot.dispose();
  }
}
