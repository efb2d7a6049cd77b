import type { GuildTextBasedChannel } from "discord.js";

/** Shows "llamadesk is typing…" until the returned function is called (Discord shows it ~10 s per call, so it is renewed). */
export function keepTyping(channel: GuildTextBasedChannel, everyMs = 8000): () => void {
  let stopped = false;
  const type = () => {
    if (!stopped) channel.sendTyping().catch(() => undefined);
  };
  type();
  const timer = setInterval(type, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
