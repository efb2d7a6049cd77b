import type { Turn } from "../store/ConversationStore.js";
import type { Passage } from "../types.js";

/**
 * Numbers passages for one conversation: a passage keeps the number it got when first given to the model,
 * so "[2]" means the same source in every turn and an earlier turn's prompt can be rebuilt token for token.
 */
export class SourceNumbering {
  private readonly numbers = new Map<string, number>();

  /** Numbering as it stood after `history`: every source given in an earlier generative answer, in order. */
  static fromHistory(history: readonly Turn[]): SourceNumbering {
    const numbering = new SourceNumbering();
    for (const turn of history) {
      if (turn.role === "assistant" && turn.mode === "generative") for (const s of turn.sources ?? []) numbering.assign(s.id);
    }
    return numbering;
  }

  /** The chunk's number, giving it the next one if it has none; `isNew` says whether it had to. */
  assign(chunkId: string): { n: number; isNew: boolean } {
    const known = this.numbers.get(chunkId);
    if (known !== undefined) return { n: known, isNew: false };
    const n = this.numbers.size + 1;
    this.numbers.set(chunkId, n);
    return { n, isNew: true };
  }

  /** The chunk id a number stands for. */
  chunkOf(n: number): string | undefined {
    for (const [chunkId, m] of this.numbers) if (m === n) return chunkId;
    return undefined;
  }

  get size(): number {
    return this.numbers.size;
  }
}

/** Passages' ids as stored with a turn, in the order they were given. */
export function chunkIdsOf(passages: readonly Passage[]): string[] {
  return passages.map((p) => p.chunkId);
}
