import type { BotEvent } from "../../BotEvent.js";
import type { ErrorCode } from "../../errors.js";
import type { Turn, TurnSource } from "../../store/ConversationStore.js";
import { sourceLinkOf, sourcesToShow, type SourceLink } from "../sourceLink.js";

/**
 * What the widget receives, as Server-Sent Events named by `type`: the bot's events with what a browser needs
 * (sources as links) and nothing it must not see (operator notices, internal error text).
 */
export type WidgetEvent =
  | { type: "sources"; sources: SourceLink[] }
  | { type: "token"; text: string }
  | { type: "done"; answer: string; mode: string; turnId: string; sources: SourceLink[]; related: SourceLink[] }
  | { type: "abstained"; message: string; turnId: string; sources: SourceLink[] }
  | { type: "handoff"; reason: string; message: string }
  | { type: "error"; code: ErrorCode; message: string };

/** A stored turn as the widget shows it in the history. */
export interface WidgetTurn {
  id: string;
  role: "user" | "assistant";
  text: string;
  createdAt: string;
  outcome?: string;
  sources: SourceLink[];
  /** Related entries listed under a verbatim answer (not its sources). */
  related: SourceLink[];
}

/** Most sources listed under one answer. */
const MAX_SOURCES = 4;

/** The event to send for `event`, or undefined for events the widget does not get (notices). */
export function toWidgetEvent(event: BotEvent): WidgetEvent | undefined {
  switch (event.type) {
    case "sources":
      return { type: "sources", sources: event.sources.slice(0, MAX_SOURCES).map(sourceLinkOf) };
    case "token":
      return event;
    case "done":
      return {
        type: "done",
        answer: event.answer,
        mode: event.mode,
        turnId: event.turnId,
        sources: sourcesToShow(event.sources, event.citations, MAX_SOURCES).map(sourceLinkOf),
        related: (event.related ?? []).map(sourceLinkOf),
      };
    case "abstained":
      return { type: "abstained", message: event.message, turnId: event.turnId, sources: event.sources.slice(0, MAX_SOURCES).map(sourceLinkOf) };
    case "handoff":
      return { type: "handoff", reason: event.reason, message: event.message };
    case "error":
      // The message is for operators (it may name files or models): the visitor gets the code and a plain sentence.
      return { type: "error", code: event.code, message: event.code === "ABORTED" ? "The answer was cancelled." : "Sorry, the answer failed. Please try again." };
    case "notice":
      return undefined;
  }
}

export function toWidgetTurn(turn: Turn): WidgetTurn {
  return {
    id: turn.id,
    role: turn.role,
    text: turn.text,
    createdAt: turn.createdAt,
    ...(turn.outcome ? { outcome: turn.outcome } : {}),
    sources: (turn.sources ?? []).filter((s) => !s.related).slice(0, MAX_SOURCES).map((s, i) => turnSourceLink(s, i + 1)),
    related: (turn.sources ?? []).flatMap((s, i) => (s.related ? [turnSourceLink(s, i + 1)] : [])),
  };
}

function turnSourceLink(source: TurnSource, n: number): SourceLink {
  return /^https?:\/\//i.test(source.source) ? { n, title: source.title, href: source.source } : { n, title: source.title, where: source.source };
}
