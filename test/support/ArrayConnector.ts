import type { Connector, PullOptions, SourceDoc, SourceIssue } from "../../src/types.js";
import { makeSourceDoc } from "../../src/sourceDoc.js";

/** A connector over an in-memory list, for tests of what ingest does with what it is given. */
export class ArrayConnector implements Connector {
  readonly name = "array";
  constructor(
    public docs: SourceDoc[],
    readonly origin = "memory",
    public issues: SourceIssue[] = [],
  ) {}

  async *pull(options: PullOptions = {}): AsyncIterable<SourceDoc> {
    for (const issue of this.issues) options.onIssue?.(issue);
    yield* this.docs;
  }
}

export function faq(id: string, title: string, text: string, line = 1): SourceDoc {
  return makeSourceDoc({ id, kind: "faq", title, text, location: { file: "faq.md", line } });
}
