import type { ErrorCode } from "./errors.js";
import type { StopReason } from "./model/ChatModel.js";
import type { AnswerSource } from "./pipeline/AnswerSource.js";
import type { AbstainReason } from "./pipeline/assessAnswerability.js";

/** Where the time of one answer went. Milliseconds unless named otherwise. */
export interface AnswerTiming {
  /** Rewriting a follow-up into a standalone question (0 when it needed none). */
  condenseMs: number;
  retrievalMs: number;
  /** Waiting for the chat model to be free. */
  queueMs: number;
  /** From the call to `ask` to the first token of the answer. */
  timeToFirstTokenMs: number | null;
  /** Decoding speed after the first token (`null` for extractive answers). */
  tokensPerSecond: number | null;
  /** Tokens generated (0 for extractive answers). */
  tokens: number;
  /** Tokens of the prompt the model saw, and how many of them it had to evaluate (the rest came from its cache). */
  promptTokens: number;
  promptTokensEvaluated: number;
  totalMs: number;
}

/** How an answer was made: written by the model from the sources, or an FAQ answer given verbatim. */
export type AnsweredMode = "generative" | "extractive";

/** Why the conversation goes to a human. `awaiting-human`: a human has it already, so the bot stays quiet. */
export type HandoffReason = "user-request" | "repeated-abstentions" | "awaiting-human";

/** What `bot.ask()` yields, in order: `notice`s, then `sources`, `token`s and `done`; or `abstained` (maybe then `handoff`); or `handoff`; or `error`. */
export type BotEvent =
  /** The passages the answer draws on, numbered as the answer cites them. `question` is what was searched for. */
  | { type: "sources"; sources: AnswerSource[]; question: string }
  /** A piece of the answer text, as it is generated. */
  | { type: "token"; text: string }
  /** The final answer. `answer` has citation numbers that point nowhere removed; `citations` are the sources it cites. */
  | {
      type: "done";
      answer: string;
      mode: AnsweredMode;
      citations: AnswerSource[];
      sources: AnswerSource[];
      /**
       * Verbatim answers only: entries for other questions that matched nearly as well as the one given, for the
       * customer to open if the answer is not the one they meant (numbered after the sources). Absent when none.
       */
      related?: AnswerSource[];
      /** The stored assistant turn, for feedback. */
      turnId: string;
      stopReason?: StopReason;
      timing: AnswerTiming;
    }
  /**
   * No answer given: a message to show (offering a human) and the closest entries found. `reason` `unsure`: they
   * came close and the message offers them; `low-confidence`: nothing came close.
   */
  | { type: "abstained"; reason: AbstainReason; message: string; sources: AnswerSource[]; turnId: string; timing: AnswerTiming }
  /** The conversation goes to a human. `message` is for the customer; empty for `awaiting-human` (say nothing). */
  | { type: "handoff"; reason: HandoffReason; message: string; turnId?: string }
  /** Something the operator should know, said once per bot (e.g. no chat model: answers are extractive). */
  | { type: "notice"; code: ErrorCode; message: string }
  /** The ask failed; `message` says what to do. Other conversations are not affected. */
  | { type: "error"; code: ErrorCode; message: string };

export type BotEventType = BotEvent["type"];
