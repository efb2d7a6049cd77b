import type { types } from "@slack/bolt";
import type { AnswerView } from "../renderAnswer.js";
import { sourceLinkOf, sourcesToShow } from "../sourceLink.js";
import { escapeMrkdwn, toMrkdwn } from "./toMrkdwn.js";

type Block = types.KnownBlock;

/** A Slack message: `text` is the notification and screen-reader fallback, `blocks` what people see. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Action ids of the buttons under answers and handoffs. */
export const ACTIONS = {
  voteUp: "llamadesk_vote_up",
  voteDown: "llamadesk_vote_down",
  human: "llamadesk_human",
  resolve: "llamadesk_resolve",
} as const;

export const PLACEHOLDER = "_Looking that up…_";
const APOLOGY = "Sorry, something went wrong while I was answering. Please try again in a moment.";
const INTERRUPTED = "Sorry, I was interrupted before I could finish. Please ask again.";
/** Slack's limit for the text of one section block. */
const SECTION_MAX = 3000;

export interface AnswerBlocksOptions {
  /** Carried by "Talk to a human" and "Mark resolved". */
  conversationId: string;
  /** Sources to list. Defaults to 4. */
  maxSources?: number;
  /** Who to mention in a handoff message (`S…` user group or `U…` user). Defaults to no one. */
  mention?: string;
}

/** How one moment of an answer looks in Slack (see `AnswerView` for the states). */
export function answerBlocks(view: AnswerView, options: AnswerBlocksOptions): SlackMessage {
  switch (view.state) {
    case "thinking":
      return { text: "Looking that up…", blocks: [section(PLACEHOLDER)] };
    case "streaming":
      return { text: view.text, blocks: sections(toMrkdwn(view.text) + " …") };
    case "answered":
      return {
        text: view.text,
        blocks: [
          ...sections(toMrkdwn(view.text)),
          ...sourcesBlock("Sources", sourcesToShow(view.sources, view.citations, options.maxSources)),
          ...sourcesBlock("Related", view.related),
          buttons([
            button("👍", ACTIONS.voteUp, view.turnId),
            button("👎", ACTIONS.voteDown, view.turnId),
            button("Talk to a human", ACTIONS.human, options.conversationId),
          ]),
        ],
      };
    case "abstained": {
      const closest = sourcesBlock("Closest matches", sourcesToShow(view.sources, [], options.maxSources));
      // An abstention that ended in a handoff (the bot could not answer twice) reads like a handoff.
      if (view.handoff) return handoffBlocks(view.text, options, closest);
      return { text: view.text, blocks: [...sections(toMrkdwn(view.text)), ...closest, buttons([button("Talk to a human", ACTIONS.human, options.conversationId)])] };
    }
    case "handoff":
      return handoffBlocks(view.text, options, []);
    case "failed":
      return { text: view.error?.code === "ABORTED" ? INTERRUPTED : APOLOGY, blocks: [section(view.error?.code === "ABORTED" ? INTERRUPTED : APOLOGY)] };
    case "quiet":
      return { text: "", blocks: [] };
  }
}

/** The message that tells the customer a human is coming, with the mention and a "Mark resolved" button for the human. */
function handoffBlocks(message: string, options: AnswerBlocksOptions, extra: Block[]): SlackMessage {
  const text = [options.mention ? mentionOf(options.mention) : "", toMrkdwn(message)].filter(Boolean).join(" ");
  return { text: message, blocks: [...sections(text), ...extra, buttons([button("Mark resolved", ACTIONS.resolve, options.conversationId, "primary")])] };
}

/** The apology that replaces a placeholder when an answer could not be shown. */
export function apologyMessage(): SlackMessage {
  return { text: APOLOGY, blocks: [section(APOLOGY)] };
}

/** `<!subteam^S…>` for a user group, `<@U…>` for a user. */
export function mentionOf(id: string): string {
  return id.startsWith("S") ? `<!subteam^${id}>` : `<@${id}>`;
}

function sourcesBlock(label: string, sources: ReturnType<typeof sourcesToShow>): Block[] {
  if (sources.length === 0) return [];
  const items = sources.map((s) => {
    const link = sourceLinkOf(s);
    const title = escapeMrkdwn(link.title).replace(/\|/g, "¦");
    return { type: "mrkdwn" as const, text: link.href ? `[${link.n}] <${link.href.replace(/\|/g, "%7C")}|${title}>` : `[${link.n}] ${title} \`${escapeMrkdwn(link.where ?? "")}\`` };
  });
  return [{ type: "context", elements: [{ type: "mrkdwn", text: `*${label}:*` }, ...items] }];
}

function sections(mrkdwn: string): Block[] {
  const blocks: Block[] = [];
  let rest = mrkdwn.trim() === "" ? "…" : mrkdwn;
  while (rest.length > 0) {
    let cut = rest.length <= SECTION_MAX ? rest.length : rest.lastIndexOf("\n", SECTION_MAX);
    if (cut <= 0) cut = SECTION_MAX;
    blocks.push(section(rest.slice(0, cut)));
    rest = rest.slice(cut).replace(/^\n/, "");
  }
  return blocks;
}

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function buttons(elements: types.Button[]): Block {
  return { type: "actions", block_id: "llamadesk_actions", elements };
}

function button(label: string, actionId: string, value: string | undefined, style?: "primary"): types.Button {
  return { type: "button", text: { type: "plain_text", text: label, emoji: true }, action_id: actionId, value: value ?? "", ...(style ? { style } : {}) };
}
