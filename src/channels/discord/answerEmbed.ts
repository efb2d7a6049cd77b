import { ButtonStyle, ComponentType, escapeMarkdown, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from "discord.js";
import type { AnswerView } from "../renderAnswer.js";
import { sourceLinkOf, sourcesToShow } from "../sourceLink.js";
import { customId } from "./customIds.js";

/** Discord's limits: an embed description, a button row. */
const DESCRIPTION_LIMIT = 4096;
const FIELD_LIMIT = 1024;
const EMBED_COLOR = 0x2b8a99;

/**
 * The sources under an answer, as an embed: each a link (a help-centre page, a past thread's jump link)
 * or the file and line it came from. An abstention lists the closest entries instead. Undefined when
 * there is nothing to list.
 */
export function answerEmbed(view: AnswerView, maxSources = 4): APIEmbed | undefined {
  if (view.state !== "answered" && view.state !== "abstained") return undefined;
  const shown = view.state === "answered" ? sourcesToShow(view.sources, view.citations, maxSources) : view.sources.slice(0, maxSources);
  if (shown.length === 0) return undefined;
  let description = "";
  for (const line of shown.map(sourceLine)) if (description.length + line.length + 1 <= DESCRIPTION_LIMIT) description += `${description ? "\n" : ""}${line}`;
  // Related entries under a verbatim answer: other questions it may have been (a field holds 1024 characters).
  const related = view.state === "answered" ? view.related.map(sourceLine).reduce((text, line) => (text.length + line.length + 1 <= FIELD_LIMIT ? `${text}${text ? "\n" : ""}${line}` : text), "") : "";
  return { title: view.state === "answered" ? "Sources" : "Closest matches", description, color: EMBED_COLOR, ...(related ? { fields: [{ name: "Related", value: related }] } : {}) };
}

function sourceLine(source: AnswerView["sources"][number]): string {
  const link = sourceLinkOf(source);
  const title = escapeMarkdown(link.title.slice(0, 200)).replace(/[[\]]/g, "\\$&");
  return link.href ? `**[${link.n}]** [${title}](${link.href.replace(/\(/g, "%28").replace(/\)/g, "%29")})` : `**[${link.n}]** ${title} · \`${(link.where ?? "").replace(/`/g, "'")}\``;
}

/**
 * The buttons under a finished answer: 👍 and 👎 (when the answer was stored), and "Talk to a human"
 * (unless the conversation is going to a human already).
 */
export function answerButtons(view: AnswerView, conversationId: string): APIActionRowComponent<APIButtonComponent>[] {
  const buttons: APIButtonComponent[] = [];
  if (view.turnId && (view.state === "answered" || view.state === "abstained")) {
    buttons.push(
      { type: ComponentType.Button, style: ButtonStyle.Secondary, emoji: { name: "👍" }, custom_id: customId("up", view.turnId) },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, emoji: { name: "👎" }, custom_id: customId("down", view.turnId) },
    );
  }
  if (view.state === "answered" || view.state === "failed" || (view.state === "abstained" && !view.handoff)) {
    buttons.push({ type: ComponentType.Button, style: ButtonStyle.Primary, label: "Talk to a human", custom_id: customId("human", conversationId) });
  }
  return buttons.length > 0 ? [{ type: ComponentType.ActionRow, components: buttons }] : [];
}

/** The "Mark resolved" button under a handoff: the support team presses it to give the conversation back to the bot. */
export function resolveButtons(conversationId: string): APIActionRowComponent<APIButtonComponent>[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.Button, style: ButtonStyle.Success, label: "Mark resolved", emoji: { name: "✅" }, custom_id: customId("resolved", conversationId) }],
    },
  ];
}
