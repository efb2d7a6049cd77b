/**
 * An abstention that ends in a handoff (`abstained`, then `handoff` with `repeated-abstentions`) as the one message
 * the customer is shown: the abstention's text, a blank line, the handoff's. The stored turn holds this text, and
 * every channel shows this text (the widget, which cannot import it, repeats it in LlamadeskWidget.ts).
 */
export function abstentionWithHandoff(abstention: string, handoff: string): string {
  return [abstention, handoff].filter((text) => text !== "").join("\n\n");
}
