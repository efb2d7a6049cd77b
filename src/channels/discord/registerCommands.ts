import { REST, Routes, SlashCommandBuilder, type RESTPutAPIApplicationCommandsResult } from "discord.js";
import { LlamadeskError } from "../../errors.js";
import type { DiscordConfig } from "./discordConfig.js";

export const ASK_COMMAND_NAME = "ask";

/** `/ask question:<text>`, in servers only. */
export function askCommand() {
  return new SlashCommandBuilder()
    .setName(ASK_COMMAND_NAME)
    .setDescription("Ask the support bot a question")
    .setContexts(0) // guilds only: the bot answers in its servers' channels
    .addStringOption((option) => option.setName("question").setDescription("Your question").setRequired(true).setMaxLength(1500))
    .toJSON();
}

export interface RegisterCommandsOptions {
  /** Registers in this server only (available at once). Defaults to every server the bot is in (global commands). */
  guildId?: string;
}

/**
 * Registers the bot's slash commands (`/ask`) with Discord through REST: replaces the application's
 * commands in that scope, so running it again is safe. Resolves with the registered commands.
 */
export async function registerCommands(config: Pick<DiscordConfig, "token" | "applicationId" | "apiUrl">, options: RegisterCommandsOptions = {}): Promise<RESTPutAPIApplicationCommandsResult> {
  const rest = new REST(config.apiUrl ? { api: config.apiUrl } : {}).setToken(config.token);
  const route = options.guildId ? Routes.applicationGuildCommands(config.applicationId, options.guildId) : Routes.applicationCommands(config.applicationId);
  try {
    return (await rest.put(route, { body: [askCommand()] })) as RESTPutAPIApplicationCommandsResult;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401) throw new LlamadeskError("CHANNEL_AUTH_FAILED", "Discord refused the bot token (DISCORD_TOKEN): copy it again from the Developer Portal (your application → Bot → Reset Token).");
    if (status === 403 || status === 404) {
      const where = options.guildId ? ` in server ${options.guildId} (is the bot in it, invited with the applications.commands scope?)` : "";
      throw new LlamadeskError("CHANNEL_AUTH_FAILED", `Discord would not register /ask for application ${config.applicationId}${where}: check DISCORD_APPLICATION_ID and the token belong to the same application.`, { cause: error });
    }
    throw new LlamadeskError("CHANNEL_START_FAILED", `Could not register /ask: ${(error as Error).message}.`, { cause: error });
  }
}
