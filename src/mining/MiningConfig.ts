import { z } from "zod";
import { LlamadeskError } from "../errors.js";
import { DEFAULT_NOT_RESOLVED_PATTERNS, DEFAULT_RESOLVED_REACTIONS, DEFAULT_RESOLVED_TAGS, DEFAULT_THANKS_PATTERNS } from "./resolutionSignals.js";

/**
 * Cosine similarity of two questions (USE-lite embeddings) at which a candidate is merged into an FAQ
 * entry or another candidate. Calibrated on StackFAQ's 1,249 paraphrases of 125 questions
 * (`BENCH_ONLY=mining`): at 0.9, 0.6% of paraphrases merge into some other question when their own is
 * absent and 88% of merges hit the right one; at 0.85 false merges are 5.4%, at 0.8 17.7%. A wrong
 * merge hides a new question from the reviewer, a missed one only shows a duplicate, so the default is
 * strict: it catches near-verbatim repeats, not rewordings.
 */
export const DEFAULT_SIMILARITY_THRESHOLD = 0.9;

const pattern = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, "iu");
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a valid regular expression (${(error as Error).message})` });
    }
  });
const names = z.array(z.string().trim().min(1));

/** The config file's `mining` section. Every field is optional. */
export const miningConfigSchema = z
  .object({
    /** Mine the chat threads each sync pulls. Defaults to true. */
    enabled: z.boolean(),
    /** The review queue (SQLite file), relative to the config file. Defaults to `review.sqlite` beside the index directory. */
    queue: z.string().min(1),
    /** Names or user ids whose replies count as agent answers (Slack user ids, Discord user ids, display names). Defaults to none. */
    supportUsers: names,
    /** Reactions on a reply that mark it as the answer. Defaults to the check marks (`white_check_mark`, `heavy_check_mark`, `✅`...). */
    resolvedReactions: names,
    /** Thread tags that mark it resolved. Defaults to `solved`, `resolved`, `answered`. */
    resolvedTags: names,
    /** Regular expressions (case-insensitive) for the asker's "thanks, that worked"; added to the built-in ones. */
    thanksPatterns: z.array(pattern),
    /** Regular expressions for "thanks, but it still fails"; checked first, added to the built-in ones. */
    notResolvedPatterns: z.array(pattern),
    /** Merge a candidate into an FAQ entry or another candidate at this cosine similarity or more. Defaults to 0.9. */
    similarityThreshold: z.number().min(0).max(1),
    /** With a chat model configured, let it write the condensed Q/A. Defaults to true. */
    useModel: z.boolean(),
  })
  .strict()
  .partial();

export type MiningConfig = z.infer<typeof miningConfigSchema>;

/** The rules mining applies, with every default filled in and patterns compiled. */
export interface MiningRules {
  supportUsers: string[];
  resolvedReactions: string[];
  resolvedTags: string[];
  thanksPatterns: RegExp[];
  notResolvedPatterns: RegExp[];
  similarityThreshold: number;
  useModel: boolean;
}

/**
 * Checks the config file's `mining` section, naming the field that is wrong.
 *
 * @param where how to name the section in errors, e.g. "llamadesk.config.json: mining"
 */
export function parseMiningConfig(raw: unknown, where = "mining"): MiningConfig {
  const parsed = miningConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || (issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "");
    throw new LlamadeskError("CONFIG_INVALID", `${where}${field ? `.${field}` : ""}: ${issue.message}. See README, "Mining resolved threads and the review queue".`);
  }
  return parsed.data;
}

/** The rules for a (checked) config: built-in signals plus the configured ones. */
export function resolveMiningRules(config: MiningConfig = {}): MiningRules {
  const compile = (sources: readonly string[]) => sources.map((source) => new RegExp(source, "iu"));
  return {
    supportUsers: config.supportUsers ?? [],
    resolvedReactions: config.resolvedReactions ?? [...DEFAULT_RESOLVED_REACTIONS],
    resolvedTags: config.resolvedTags ?? [...DEFAULT_RESOLVED_TAGS],
    thanksPatterns: compile([...DEFAULT_THANKS_PATTERNS, ...(config.thanksPatterns ?? [])]),
    notResolvedPatterns: compile([...DEFAULT_NOT_RESOLVED_PATTERNS, ...(config.notResolvedPatterns ?? [])]),
    similarityThreshold: config.similarityThreshold ?? DEFAULT_SIMILARITY_THRESHOLD,
    useModel: config.useModel ?? true,
  };
}
