/** A question and its answer (HTML or text) from schema.org `FAQPage` JSON-LD. */
export interface JsonLdQuestion {
  question: string;
  answerHtml: string;
}

/**
 * Questions of every schema.org `FAQPage` in the page's `application/ld+json` blocks (top level, in
 * arrays or in `@graph`). A block that is not valid JSON is skipped: the page's visible text still counts.
 */
export function faqJsonLd(blocks: readonly string[]): JsonLdQuestion[] {
  const found: JsonLdQuestion[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (hasType(record, "FAQPage")) {
      const entities = Array.isArray(record.mainEntity) ? record.mainEntity : record.mainEntity ? [record.mainEntity] : [];
      for (const entity of entities as Record<string, unknown>[]) {
        if (typeof entity !== "object" || entity === null || !hasType(entity, "Question")) continue;
        const question = typeof entity.name === "string" ? entity.name.trim() : "";
        const answers = Array.isArray(entity.acceptedAnswer) ? entity.acceptedAnswer : [entity.acceptedAnswer ?? entity.suggestedAnswer];
        const answer = answers.find((a): a is { text: string } => typeof a === "object" && a !== null && typeof (a as { text?: unknown }).text === "string");
        if (question && answer && answer.text.trim()) found.push({ question, answerHtml: answer.text });
      }
    }
    if (record["@graph"]) visit(record["@graph"]);
  };
  for (const block of blocks) {
    try {
      visit(JSON.parse(block));
    } catch {
      // not JSON: ignored, as browsers and search engines do
    }
  }
  return found;
}

function hasType(record: Record<string, unknown>, type: string): boolean {
  const value = record["@type"];
  return value === type || (Array.isArray(value) && value.includes(type));
}
