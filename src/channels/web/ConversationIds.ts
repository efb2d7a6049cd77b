import { randomBytes } from "node:crypto";
import type { Bot } from "../../bot.js";
import type { IssuedConversationIds } from "./IssuedConversationIds.js";

/** A web conversation id: `web-` and 32 random base64url characters (192 bits), so one visitor cannot guess another's. */
export const WEB_CONVERSATION_ID = /^web-[A-Za-z0-9_-]{32}$/;

/**
 * Issues web conversation ids and tells which exist: an id exists once issued (while `issued` remembers it) or
 * once the bot's store has turns for it. Only ids of the web form are accepted, so the API cannot reach Slack or
 * Discord conversations.
 */
export class ConversationIds {
  constructor(
    private readonly bot: Pick<Bot, "history">,
    private readonly issued: IssuedConversationIds,
  ) {}

  async issue(): Promise<string> {
    const id = `web-${randomBytes(24).toString("base64url")}`;
    await this.issued.add(id);
    return id;
  }

  async exists(id: string): Promise<boolean> {
    if (!WEB_CONVERSATION_ID.test(id)) return false;
    if (await this.issued.has(id)) return true;
    return (await this.bot.history(id)).length > 0;
  }
}
