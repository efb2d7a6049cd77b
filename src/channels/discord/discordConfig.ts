import { z } from "zod";
import { readEnv, readEnvVariable } from "../../config.js";
import { LlamadeskError } from "../../errors.js";

/** The Discord bot's settings, resolved from the config file's `discord` section and the environment. */
export interface DiscordConfig {
  /** The bot token (DISCORD_TOKEN, or the variable `discord.tokenEnv` names). Never logged. */
  token: string;
  /** The application id (`discord.applicationId`, else DISCORD_APPLICATION_ID). */
  applicationId: string;
  /** Channels and forums the bot serves (`discord.channels`, else DISCORD_CHANNELS). Undefined: it answers mentions anywhere it can read, and auto-answers no forum. */
  channels?: string[];
  /** REST base URL, e.g. a REST proxy shared by several bots (`discord.apiUrl`, else DISCORD_API_URL). Defaults to Discord's. */
  apiUrl?: string;
  /** The role pinged when a customer asks for a human; its members may mark a conversation resolved. Defaults to none (no ping; members who can manage threads resolve). */
  supportRoleId?: string;
  /** Where `llamadesk discord register` registers /ask when --guild is not given. Defaults to everywhere (global). */
  guildId?: string;
  /**
   * Read plain messages (follow-ups in threads without a mention, forum posts): needs the privileged
   * Message Content intent. With `false` the bot answers mentions and /ask only. Defaults to true.
   */
  messageContent: boolean;
  /** Names of the forum tags the bot applies to posts, when the forum has them (case-insensitive). */
  forumTags: { answered: string; needsHuman: string };
  /** Minutes of inactivity before a thread the bot opens is archived. Defaults to 1440 (a day). */
  threadArchiveMinutes: 60 | 1440 | 4320 | 10080;
  /** Least time between two edits of a streaming answer. Defaults to 1000 ms. */
  editIntervalMs: number;
}

const SNOWFLAKE = /^\d{17,20}$/;
const snowflake = z.string().regex(SNOWFLAKE, "must be a Discord id: 17 to 20 digits (turn on Developer Mode, then right-click → Copy ID)");

const sectionSchema = z
  .object({
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable, e.g. SUPPORT_DISCORD_TOKEN"),
    applicationId: snowflake,
    channels: z.array(snowflake),
    apiUrl: z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL such as http://127.0.0.1:8080/api"),
    supportRoleId: snowflake,
    guildId: snowflake,
    messageContent: z.boolean(),
    forumTags: z.object({ answered: z.string().min(1).max(20), needsHuman: z.string().min(1).max(20) }).partial().strict(),
    threadArchiveMinutes: z.union([z.literal(60), z.literal(1440), z.literal(4320), z.literal(10080)]),
    editIntervalMs: z.number().int().min(250).max(60_000),
  })
  .partial()
  .strict();

export interface ResolveDiscordConfigOptions {
  /** The config file it came from, for error messages. Defaults to "llamadesk.config.json". */
  configPath?: string;
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Checks the config file's `discord` section and the environment (config file first, then DISCORD_*),
 * before anything connects. A wrong field or a missing token or application id throws
 * CHANNEL_CONFIG_INVALID naming the field or variable.
 */
export function resolveDiscordConfig(section: Record<string, unknown> | undefined, options: ResolveDiscordConfigOptions = {}): DiscordConfig {
  const file = options.configPath ?? "llamadesk.config.json";
  const envVars = options.env ?? process.env;
  const env = readEnv(envVars);
  if (section && "token" in section) {
    throw invalid(`${file}: discord.token: keep the bot token out of the config file: set DISCORD_TOKEN (or name another variable in discord.tokenEnv).`);
  }
  const parsed = sectionSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["discord", ...issue.path].join(".") + (issue.code === "unrecognized_keys" ? `.${issue.keys.join(", ")}` : "");
    throw invalid(`${file}: ${field}: ${issue.message}. See README, "Discord", for the fields.`);
  }
  const s = parsed.data;
  const tokenVariable = s.tokenEnv ?? "DISCORD_TOKEN";
  const token = s.tokenEnv ? readEnvVariable(s.tokenEnv, envVars) : env.discordToken;
  if (!token) {
    throw invalid(`${tokenVariable} is not set: set it to the bot token (Developer Portal → your application → Bot → Reset Token).`);
  }
  const applicationId = s.applicationId ?? env.discordApplicationId;
  if (!applicationId) {
    throw invalid(`DISCORD_APPLICATION_ID is not set (nor discord.applicationId in ${file}): set it to the Application ID on the Developer Portal's General Information page.`);
  }
  if (!SNOWFLAKE.test(applicationId)) throw invalid(`DISCORD_APPLICATION_ID: "${applicationId}" is not a Discord id (17 to 20 digits).`);
  const channels = s.channels ?? parseChannelList(env.discordChannels);
  const apiUrl = s.apiUrl ?? env.discordApiUrl;
  if (apiUrl !== undefined && !/^https?:\/\/\S+$/.test(apiUrl)) {
    throw invalid(`DISCORD_API_URL: "${apiUrl}" is not an http(s) URL (e.g. http://127.0.0.1:8080/api).`);
  }
  return {
    token,
    applicationId,
    ...(channels ? { channels } : {}),
    ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, "") } : {}),
    ...(s.supportRoleId ? { supportRoleId: s.supportRoleId } : {}),
    ...(s.guildId ? { guildId: s.guildId } : {}),
    messageContent: s.messageContent ?? true,
    forumTags: { answered: s.forumTags?.answered ?? "answered by bot", needsHuman: s.forumTags?.needsHuman ?? "needs human" },
    threadArchiveMinutes: s.threadArchiveMinutes ?? 1440,
    editIntervalMs: s.editIntervalMs ?? 1000,
  };
}

function parseChannelList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  const wrong = ids.find((id) => !SNOWFLAKE.test(id));
  if (wrong !== undefined) {
    throw invalid(`DISCORD_CHANNELS: "${wrong}" is not a channel id: list ids (17 to 20 digits, Developer Mode → right-click the channel → Copy Channel ID), separated by commas.`);
  }
  return ids.length > 0 ? ids : undefined;
}

function invalid(message: string): LlamadeskError {
  return new LlamadeskError("CHANNEL_CONFIG_INVALID", message);
}
