import { CONFIG_FILE_NAME, databaseOf, loadConfigFile } from "../configFile.js";
import { LlamadeskError } from "../errors.js";
import { openDatabase } from "../openStateStores.js";
import { createLocalBot } from "../presets/createLocalBot.js";
import { localBotOptions, type BotCliOptions } from "./askCommand.js";
import { stopSignal } from "./stopSignal.js";

const log = (line: string) => process.stderr.write(`discord: ${line}\n`);

/**
 * `llamadesk discord`: the Discord bot on the local bot. Settings are checked before the index and model
 * load (a missing DISCORD_TOKEN stops it at once); it runs until SIGINT/SIGTERM, then cancels answers in
 * progress (their messages say so), disconnects and exits 0. Discord closing the connection for good exits 1.
 * With a database, replicas of the bot elect one to hold the gateway (an advisory lock); the others stand by,
 * with the bot loaded, and one takes over when the leader goes.
 */
export async function discordCommand(options: BotCliOptions): Promise<number> {
  const { config, path } = await loadConfigFile(options.config);
  // discord.js loads only for this command.
  const { resolveDiscordConfig, DiscordChannel } = await import("../channels/discord/index.js");
  const settings = resolveDiscordConfig(config.discord, { configPath: path ?? CONFIG_FILE_NAME });
  const postgres = await openDatabase(databaseOf({ database: options.database }, config).url);
  try {
    const leadership = postgres && new (await import("../postgres/PostgresLeadership.js")).PostgresLeadership(postgres);
    const bot = await createLocalBot({ ...localBotOptions(options), ...(postgres ? { database: postgres } : {}) });
    let fail!: (error: LlamadeskError) => void;
    const fatal = new Promise<LlamadeskError>((resolve) => (fail = resolve));
    const channel = new DiscordChannel({ ...settings, log, onFatalError: (error) => fail(error), ...(leadership ? { leadership } : {}) });
    // Stoppable while standing by, too: start() resolves only once this replica holds the gateway.
    const stopping = stopSignal();
    try {
      const running = channel.start(bot).then(() => {
        process.stderr.write("llamadesk is answering on Discord. Ctrl-C stops.\n");
        return Promise.race([fatal, stopping]);
      });
      const outcome = await Promise.race([running, stopping]);
      if (typeof outcome !== "string") throw outcome;
      process.stderr.write(`${outcome}: stopping…\n`);
      await channel.stop();
      process.stderr.write("stopped.\n");
      return 0;
    } finally {
      await channel.stop();
      await bot.dispose();
    }
  } finally {
    await postgres?.close();
  }
}

export interface DiscordRegisterCliOptions {
  guild?: string;
  config?: string;
}

/** `llamadesk discord register [--guild ID]`: registers /ask for one server (at once) or globally. */
export async function discordRegisterCommand(options: DiscordRegisterCliOptions): Promise<number> {
  const { config, path } = await loadConfigFile(options.config);
  const { resolveDiscordConfig, registerCommands } = await import("../channels/discord/index.js");
  const settings = resolveDiscordConfig(config.discord, { configPath: path ?? CONFIG_FILE_NAME });
  const guildId = options.guild ?? settings.guildId;
  if (options.guild !== undefined && !/^\d{17,20}$/.test(options.guild)) {
    throw new LlamadeskError("INVALID_OPTION", `--guild must be a server id: 17 to 20 digits (Developer Mode → right-click the server → Copy Server ID), got "${options.guild}".`);
  }
  const commands = await registerCommands(settings, guildId ? { guildId } : {});
  const names = commands.map((c) => `/${c.name}`).join(", ");
  process.stdout.write(
    guildId
      ? `Registered ${names} in server ${guildId}: available there now.\n`
      : `Registered ${names} globally: every server the bot is in gets it (Discord may take up to an hour to show it everywhere).\n`,
  );
  return 0;
}
