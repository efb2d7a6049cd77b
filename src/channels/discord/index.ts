// `llamadesk/discord`: the Discord channel, kept out of the main entry so discord.js loads only when used.
export { DiscordChannel, type DiscordChannelOptions } from "./DiscordChannel.js";
export { resolveDiscordConfig, type DiscordConfig, type ResolveDiscordConfigOptions } from "./discordConfig.js";
export { registerCommands, askCommand, type RegisterCommandsOptions } from "./registerCommands.js";
export { splitMessage, DISCORD_MESSAGE_LIMIT } from "./splitMessage.js";
export { renderToDiscord, messagesOf, type AnswerMessage, type AnswerOutlet, type RenderToDiscordOptions } from "./renderToDiscord.js";
