/**
 * Numbers passages for one conversation: a passage keeps the number it got when first given to the model,
 * so "[2]" means the same source in every turn and an earlier turn's prompt can be rebuilt token for token.
 */
export class SourceNumbering {
  private readonly numbers = new Map<string, number>();

  /** The chunk's number, giving it the next one if it has none; `isNew` says whether it had to. */
  assign(chunkId: string): { n: number; isNew: boolean } {
    const known = this.numbers.get(chunkId);
    if (known !== undefined) return { n: known, isNew: false };
    const n = this.numbers.size + 1;
    this.numbers.set(chunkId, n);
    return { n, isNew: true };
  }
}
