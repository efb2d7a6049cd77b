import type { APIActionRowComponent, APIButtonComponent, APIEmbed } from "discord.js";
import type { BotEvent } from "../../BotEvent.js";
import { renderAnswer, type AnswerView } from "../renderAnswer.js";
import { answerButtons, answerEmbed } from "./answerEmbed.js";
import { splitMessage } from "./splitMessage.js";

/** One Discord message of an answer, as posted or edited. */
export interface AnswerMessage {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

/** Where an answer's messages go: a thread or channel, or an interaction's reply and its follow-ups. */
export interface AnswerOutlet {
  /** Posts a message; resolves with its id. */
  post(message: AnswerMessage): Promise<string>;
  edit(id: string, message: AnswerMessage): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface RenderToDiscordOptions {
  outlet: AnswerOutlet;
  /** For the buttons under the answer. */
  conversationId: string;
  /** Least time between two edits while the answer streams. Defaults to 1000 ms. */
  intervalMs?: number;
  /** An edit that failed while streaming (the next one carries the newer text). Defaults to ignoring it. */
  onRenderError?: (error: unknown) => void;
}

const FAILED = "Sorry, something went wrong while answering. Please try again, or press **Talk to a human**.";
const STOPPED = "I stopped before finishing this answer (the bot is restarting). Please ask again in a minute.";

/**
 * Shows an answer on Discord as it streams: posts its first message on the first text, edits it (about
 * once a second), adds messages when the text outgrows 2,000 characters, and puts the sources embed and
 * the buttons under the last one when it is finished. A `quiet` answer (a human has the conversation)
 * removes whatever was posted. Resolves with the final view.
 */
export async function renderToDiscord(events: AsyncIterable<BotEvent>, options: RenderToDiscordOptions): Promise<AnswerView> {
  const posted: { id: string; message: AnswerMessage }[] = [];
  return renderAnswer(events, {
    intervalMs: options.intervalMs ?? 1000,
    ...(options.onRenderError ? { onRenderError: options.onRenderError } : {}),
    render: async (view, final) => {
      const messages = messagesOf(view, final, options.conversationId);
      for (const [i, message] of messages.entries()) {
        const existing = posted[i];
        if (!existing) posted.push({ id: await options.outlet.post(message), message });
        else if (JSON.stringify(existing.message) !== JSON.stringify(message)) {
          await options.outlet.edit(existing.id, message);
          existing.message = message;
        }
      }
      while (posted.length > messages.length) await options.outlet.remove(posted.pop()!.id);
    },
  });
}

/** The messages a view shows: its text split at 2,000 characters, the embed and buttons under the last when final. */
export function messagesOf(view: AnswerView, final: boolean, conversationId: string): AnswerMessage[] {
  if (view.state === "quiet") return [];
  const text = view.state === "failed" ? (view.error?.code === "ABORTED" ? STOPPED : FAILED) : view.text;
  const contents = splitMessage(text);
  if (contents.length === 0) contents.push(final ? "(no answer)" : "…");
  const messages: AnswerMessage[] = contents.map((content) => ({ content, embeds: [], components: [] }));
  if (final) {
    const last = messages[messages.length - 1]!;
    const embed = answerEmbed(view);
    if (embed) last.embeds = [embed];
    last.components = answerButtons(view, conversationId);
  }
  return messages;
}
