/** What a llamadesk button does: vote on an answer (its turn id), or hand a conversation to a human / back to the bot (its id). */
export type ButtonAction = "up" | "down" | "human" | "resolved";

const PREFIX = "llamadesk";
const ACTIONS: readonly ButtonAction[] = ["up", "down", "human", "resolved"];

/** A button's custom id: `llamadesk:<action>:<turn or conversation id>` (Discord allows 100 characters). */
export function customId(action: ButtonAction, target: string): string {
  return `${PREFIX}:${action}:${target}`;
}

/** The action and target of one of our buttons; undefined for any other custom id. */
export function parseCustomId(id: string): { action: ButtonAction; target: string } | undefined {
  const match = /^llamadesk:([a-z]+):(.+)$/.exec(id);
  if (!match || !ACTIONS.includes(match[1] as ButtonAction)) return undefined;
  return { action: match[1] as ButtonAction, target: match[2]! };
}
