import { DiscordAPIError, RESTJSONErrorCodes, type AnyThreadChannel, type Message } from "discord.js";
import { answerInThread } from "./answerConversation.js";
import { isServedForumPost, type DiscordContext } from "./DiscordContext.js";

/**
 * A new post in a served forum: the bot answers it in the post's thread, from its title and first
 * message, and tags the post "answered by bot" or "needs human" when the forum has those tags.
 */
export async function handleForumPost(ctx: DiscordContext, thread: AnyThreadChannel, newlyCreated: boolean): Promise<void> {
  if (!newlyCreated || !isServedForumPost(thread, ctx.config) || thread.ownerId === ctx.client.user.id) return;
  const starter = await starterMessage(thread);
  if (!starter || starter.author.bot) return;
  const body = starter.content.trim();
  if (body === "" && !ctx.config.messageContent) {
    ctx.log(`forum post ${thread.id}: answering from its title only (discord.messageContent is false, so posts' text cannot be read)`);
  }
  const text = [thread.name, body].filter(Boolean).join("\n\n");
  await answerInThread(ctx, thread, text, starter.author.id);
}

/** The post's first message. Discord may announce the thread a moment before the message exists: try a few times. */
async function starterMessage(thread: AnyThreadChannel, attempts = 4): Promise<Message | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await thread.fetchStarterMessage();
    } catch (error) {
      const missing = error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage;
      if (!missing || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
