import { z } from "zod";
import { LlamadeskError } from "../errors.js";

/** How the bot answers: the model writes it, the best FAQ answer verbatim, or whichever fits the question. */
export type AnswerMode = "auto" | "generative" | "extractive";
export const ANSWER_MODES: readonly AnswerMode[] = ["auto", "generative", "extractive"];

/** How a follow-up becomes a standalone question for retrieval. */
export type CondenseMode = "auto" | "model" | "rules";

/** Sampling for generative answers. */
export interface AnswerGeneration {
  /** Most tokens in an answer. Defaults to `384`. */
  maxTokens: number;
  /** Defaults to `0.2`: support answers should be steady, not creative. */
  temperature: number;
  /** Defaults to `0.9`. */
  topP: number;
  /** For benchmarks: generate exactly `maxTokens`. Defaults to `false`. */
  ignoreEos: boolean;
}

/** What a bot answers, when it abstains, and when it calls a human. Every field has a calibrated default. */
export interface AnswerPolicy {
  /** Defaults to `"auto"`: extractive when one FAQ entry clearly matches (or no chat model is configured), generative otherwise. */
  mode: AnswerMode;
  /** The product's name, as the prompts say it. Defaults to `"this product"`. */
  product: string;
  /**
   * Answerability gate: the bot abstains when the best passage's match confidence (cosine similarity to the question
   * + 0.5 × the IDF-weighted share of the question's words it contains) is below this. Defaults to `0.7`, calibrated on StackFAQ,
   * banking77 and the sample FAQ (see README, "Answerability and answer modes").
   */
  minConfidence: number;
  /**
   * Verbatim answers (no chat model, or `extractive` mode): at or above this match confidence the bot answers even when
   * entries of other questions match nearly as well (within `extractiveMargin`; they are listed as related); between
   * `minConfidence` and this it answers only when its entry leads them by `extractiveMargin`, and otherwise offers
   * them. A chat model writes an answer from near ties at any confidence from `minConfidence`. Defaults to `0.8`.
   */
  tieConfidence: number;
  /**
   * Below `minConfidence` but at least this, the bot says it is not sure and offers the closest entries as links (and
   * a human); below it, it says it found no answer. Defaults to `0.6` (see README, "Answerability and answer modes").
   */
  suggestConfidence: number;
  /**
   * A verbatim (extractive) answer whose match confidence leads the best entry of another question by less than this
   * lists the entries within this margin under it as "related" (another answer to the same question is no rival);
   * below `tieConfidence` such a near tie is not answered. Defaults to `0.1`.
   */
  extractiveMargin: number;
  /** In `auto` mode with a chat model, an FAQ entry with at least this match confidence... Defaults to `0.9`. */
  autoExtractiveConfidence: number;
  /** ...and this lead is given verbatim instead of generating an answer. Defaults to `0.2`. */
  autoExtractiveMargin: number;
  /** Passages given to the model per question. Defaults to `4`. */
  maxSources: number;
  /** Consecutive abstentions after which the bot hands the conversation to a human; `0` never. Defaults to `2`. */
  handoffAfterAbstentions: number;
  /**
   * Follow-ups ("and on Android?") become standalone questions for retrieval: `"rules"` joins them to the previous
   * question (one that only swaps a detail, "and to Australia?", takes the place of the previous question's last
   * detail), `"model"` asks the chat model to rewrite them, `"auto"` uses the model for follow-ups when there is one.
   * Either way, a swapped-in detail must be mentioned by the passages answered from, when any of them mentions it.
   * Defaults to `"auto"`.
   */
  condense: CondenseMode;
  /** Past turns read from the store for a follow-up (the model trims the oldest if they do not fit). Defaults to `40`. */
  historyTurns: number;
  generation: AnswerGeneration;
}

export type AnswerPolicyInput = Partial<Omit<AnswerPolicy, "generation">> & { generation?: Partial<AnswerGeneration> };

export const DEFAULT_POLICY: AnswerPolicy = {
  mode: "auto",
  product: "this product",
  minConfidence: 0.7,
  tieConfidence: 0.8,
  suggestConfidence: 0.6,
  extractiveMargin: 0.1,
  autoExtractiveConfidence: 0.9,
  autoExtractiveMargin: 0.2,
  maxSources: 4,
  handoffAfterAbstentions: 2,
  condense: "auto",
  historyTurns: 40,
  generation: { maxTokens: 384, temperature: 0.2, topP: 0.9, ignoreEos: false },
};

const unit = z.number().min(0).max(1);
const schema = z
  .object({
    mode: z.enum(["auto", "generative", "extractive"]),
    product: z.string().trim().min(1),
    minConfidence: z.number().min(0).max(1.5),
    tieConfidence: z.number().min(0).max(1.5),
    suggestConfidence: z.number().min(0).max(1.5),
    extractiveMargin: unit,
    autoExtractiveConfidence: z.number().min(0).max(1.5),
    autoExtractiveMargin: unit,
    maxSources: z.number().int().min(1).max(20),
    handoffAfterAbstentions: z.number().int().min(0),
    condense: z.enum(["auto", "model", "rules"]),
    historyTurns: z.number().int().min(0),
    generation: z
      .object({
        maxTokens: z.number().int().min(1),
        temperature: z.number().min(0),
        topP: z.number().gt(0).max(1),
        ignoreEos: z.boolean(),
      })
      .strict()
      .partial(),
  })
  .strict()
  .partial();

/** Fills in defaults and checks every field, naming the one that is wrong. */
export function resolvePolicy(input: AnswerPolicyInput = {}): AnswerPolicy {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "(policy)";
    throw new LlamadeskError("INVALID_OPTION", `policy.${field}: ${issue.message}.`);
  }
  const { generation, ...rest } = parsed.data;
  const policy = { ...DEFAULT_POLICY, ...definedOnly(rest), generation: { ...DEFAULT_POLICY.generation, ...definedOnly(generation ?? {}) } };
  // A team that sets only minConfidence (calibrated for its embedder: `llamadesk eval`) gets the other floors moved
  // with it where their defaults would contradict it; floors it sets itself are checked below.
  if (rest.tieConfidence === undefined) policy.tieConfidence = Math.max(policy.tieConfidence, policy.minConfidence);
  if (rest.suggestConfidence === undefined) policy.suggestConfidence = Math.min(policy.suggestConfidence, policy.minConfidence);
  if (policy.tieConfidence < policy.minConfidence) {
    throw new LlamadeskError(
      "INVALID_OPTION",
      `policy.tieConfidence (${policy.tieConfidence}) is below policy.minConfidence (${policy.minConfidence}): answering near ties needs at least the confidence of answering at all. Raise tieConfidence or lower minConfidence.`,
    );
  }
  if (policy.suggestConfidence > policy.minConfidence) {
    throw new LlamadeskError(
      "INVALID_OPTION",
      `policy.suggestConfidence (${policy.suggestConfidence}) is above policy.minConfidence (${policy.minConfidence}): the floor for offering close entries must be at most the one for answering. Lower suggestConfidence or raise minConfidence.`,
    );
  }
  return policy;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
