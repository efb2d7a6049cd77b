import type { Bot } from "../bot.js";

/**
 * A way customers reach the bot: Slack, Discord, the web widget, the terminal.
 * A channel only translates: platform events in, `bot.ask()` out, the event
 * stream rendered the platform's way. Logic channels share lives in the core.
 */
export interface Channel {
  /** Short name, kept with each conversation it starts ("slack", "discord", "web"). */
  readonly name: string;
  /** Connects (or starts listening) and serves `bot` until `stop()`. Rejects with a coded error when it cannot start. */
  start(bot: Bot): Promise<void>;
  /** Stops taking new messages, lets answers in progress finish or cancels them, and disconnects. Safe to call twice. */
  stop(): Promise<void>;
}
