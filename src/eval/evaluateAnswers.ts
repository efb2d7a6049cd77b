import type { Bot } from "../bot.js";
import type { BotEvent } from "../BotEvent.js";
import type { AbstainReason } from "../pipeline/assessAnswerability.js";
import type { EvalQuery } from "./readQueriesFile.js";

/** What the bot did with one question, as the answer evaluation counts it. */
export interface AnswerOutcome {
  query: string;
  /** Empty for an out-of-scope question. */
  relevant: string[];
  kind: "answered" | "abstained" | "handoff" | "error";
  mode?: "generative" | "extractive";
  abstainReason?: AbstainReason;
  /** Doc ids: the answer's first source (its citation when it has one), then any related entries; or the entries offered. */
  shown: string[];
  /** An answer listed related entries. */
  related: boolean;
}

/** Shares of the labelled (answerable) questions. */
export interface AnswerableRates {
  questions: number;
  /** Got an answer (verbatim or generated). */
  answered: number;
  /** Answered, from a relevant entry (its first source). */
  right: number;
  /** Answered with a related list under it (right or wrong). */
  related: number;
  /** Answered, with a relevant entry among those shown (the answer's source or a related entry). */
  rightShown: number;
  /** Answered from an irrelevant entry. */
  wrong: number;
  /** Answered from an irrelevant entry with no related entries beside it: the costly mistake. */
  wrongAlone: number;
  /** Not answered: the bot said it was not sure and offered close entries... */
  unsure: number;
  /** ...of which a relevant entry was among those offered. */
  unsureOffersRight: number;
  /** Not answered, nothing offered as close (no answer found). */
  declined: number;
}

/** Shares of the out-of-scope questions. */
export interface OutOfScopeRates {
  questions: number;
  /** Answered anyway: each is a wrong answer. */
  answered: number;
  /** Not answered (unsure or declined): right. */
  abstained: number;
  /** Of the abstentions: not sure, close entries offered. */
  unsure: number;
}

export interface AnswerEvaluation {
  answerable: AnswerableRates;
  outOfScope?: OutOfScopeRates;
  outcomes: AnswerOutcome[];
}

export interface EvaluateAnswersOptions {
  /** Called after each question, for progress. */
  onQuestion?: (done: number, total: number) => void;
}

/**
 * Runs the whole answer policy (`bot.ask`, each question in a conversation of its own) over labelled questions and,
 * optionally, questions the knowledge should not answer, and counts what a customer would have got.
 */
export async function evaluateAnswers(
  bot: Pick<Bot, "ask">,
  queries: readonly EvalQuery[],
  outOfScope: readonly string[] = [],
  options: EvaluateAnswersOptions = {},
): Promise<AnswerEvaluation> {
  const all = [...queries, ...outOfScope.map((query) => ({ query, relevant: [] as string[] }))];
  const outcomes: AnswerOutcome[] = [];
  for (const [i, q] of all.entries()) {
    outcomes.push(await outcomeOf(bot, `eval-answers-${i}`, q));
    options.onQuestion?.(i + 1, all.length);
  }
  const labelled = outcomes.slice(0, queries.length);
  const scope = outcomes.slice(queries.length);
  return {
    answerable: answerableRates(labelled),
    ...(outOfScope.length > 0 ? { outOfScope: outOfScopeRates(scope) } : {}),
    outcomes,
  };
}

async function outcomeOf(bot: Pick<Bot, "ask">, conversationId: string, q: EvalQuery): Promise<AnswerOutcome> {
  const outcome: AnswerOutcome = { query: q.query, relevant: q.relevant, kind: "error", shown: [], related: false };
  for await (const e of bot.ask({ conversationId, text: q.query }) as AsyncIterable<BotEvent>) {
    if (e.type === "done") {
      const first = e.citations[0] ?? e.sources[0];
      Object.assign(outcome, { kind: "answered", mode: e.mode, related: (e.related ?? []).length > 0, shown: [first?.id, ...(e.related ?? []).map((r) => r.id)].filter((id) => id !== undefined) });
    } else if (e.type === "abstained") {
      Object.assign(outcome, { kind: "abstained", abstainReason: e.reason, shown: e.sources.map((s) => s.id) });
    } else if (e.type === "handoff" && outcome.kind === "error") {
      outcome.kind = "handoff";
    }
  }
  return outcome;
}

function answerableRates(outcomes: readonly AnswerOutcome[]): AnswerableRates {
  const n = outcomes.length || 1;
  const share = (test: (o: AnswerOutcome) => boolean) => outcomes.filter(test).length / n;
  const answered = (o: AnswerOutcome) => o.kind === "answered";
  const right = (o: AnswerOutcome) => answered(o) && o.relevant.includes(o.shown[0] ?? "");
  const unsure = (o: AnswerOutcome) => o.kind === "abstained" && o.abstainReason === "unsure";
  return {
    questions: outcomes.length,
    answered: share(answered),
    right: share(right),
    related: share((o) => answered(o) && o.related),
    rightShown: share((o) => answered(o) && o.shown.some((id) => o.relevant.includes(id))),
    wrong: share((o) => answered(o) && !right(o)),
    wrongAlone: share((o) => answered(o) && !right(o) && !o.related),
    unsure: share(unsure),
    unsureOffersRight: share((o) => unsure(o) && o.shown.some((id) => o.relevant.includes(id))),
    declined: share((o) => !answered(o) && !unsure(o)),
  };
}

function outOfScopeRates(outcomes: readonly AnswerOutcome[]): OutOfScopeRates {
  const n = outcomes.length || 1;
  return {
    questions: outcomes.length,
    answered: outcomes.filter((o) => o.kind === "answered").length / n,
    abstained: outcomes.filter((o) => o.kind !== "answered").length / n,
    unsure: outcomes.filter((o) => o.kind === "abstained" && o.abstainReason === "unsure").length / n,
  };
}
