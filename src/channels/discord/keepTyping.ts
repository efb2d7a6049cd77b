import type { GuildTextBasedChannel } from "discord.js";

/**
 * Shows "llamadesk is typing…" until the returned function is called: first after `delayMs` (so a
 * conversation a human has, where the bot says nothing, shows no typing at all), then renewed, since
 * Discord shows it for about 10 s per call.
 */
export function keepTyping(channel: GuildTextBasedChannel, delayMs = 400, everyMs = 8000): () => void {
  let timer: NodeJS.Timeout = setTimeout(function type() {
    channel.sendTyping().catch(() => undefined);
    timer = setTimeout(type, everyMs);
  }, delayMs);
  return () => clearTimeout(timer);
}
