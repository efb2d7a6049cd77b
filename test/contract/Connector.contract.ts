import { describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { contentHashOf } from "../../src/sourceDoc.js";
import type { Connector, SourceDoc, SourceIssue } from "../../src/types.js";

/** A connector over a source a test controls. */
export interface ConnectorHarness {
  /** A connector over a source holding at least two items (same options every call). */
  connector(): Connector;
  /** Removes one item (a file, a thread, a page, an article) at the source. */
  removeOne(): Promise<void>;
  /** A connector whose input is bad (a broken file, a failing page, a refused token, a queue it cannot open). */
  broken(): Connector | Promise<Connector>;
  dispose(): Promise<void>;
}

interface Pulled {
  docs: SourceDoc[];
  issues: SourceIssue[];
  state: unknown;
}

async function pull(connector: Connector, state?: unknown): Promise<Pulled> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  let saved: unknown;
  for await (const doc of connector.pull({ onIssue: (issue) => issues.push(issue), ...(state !== undefined ? { state } : {}), saveState: (s) => (saved = s) })) docs.push(doc);
  return { docs, issues, state: saved };
}

const fingerprint = (docs: readonly SourceDoc[]) => docs.map((d) => `${d.id} ${d.contentHash}`).sort();

/**
 * What every Connector promises sync and ingest: ids that are unique and stable, content hashes of
 * exactly what is indexed, one origin for one configuration, state that survives JSON and gives the
 * same docs back, removals seen, and bad input reported (an issue, or a coded error) rather than
 * thrown raw. `setup` builds a fresh source for each test.
 */
export function connectorContract(name: string, setup: () => Promise<ConnectorHarness>): void {
  describe(`Connector contract: ${name}`, () => {
    const withHarness = (fn: (harness: ConnectorHarness) => Promise<void>) => async () => {
      const harness = await setup();
      try {
        await fn(harness);
      } finally {
        await harness.dispose();
      }
    };

    it("yields docs with unique ids, content hashes of what is indexed, and the same ids and hashes on a second pull", withHarness(async (harness) => {
      const first = await pull(harness.connector());
      expect(first.docs.length).toBeGreaterThanOrEqual(2);
      expect(new Set(first.docs.map((d) => d.id)).size).toBe(first.docs.length);
      for (const doc of first.docs) {
        expect(doc.contentHash, doc.id).toBe(contentHashOf(doc));
        expect(["faq", "chat", "doc"]).toContain(doc.kind);
        expect(doc.title.trim().length + doc.text.trim().length, doc.id).toBeGreaterThan(0);
      }
      expect(fingerprint((await pull(harness.connector())).docs)).toEqual(fingerprint(first.docs));
    }));

    it("has one non-empty origin for one configuration", withHarness(async (harness) => {
      const a = harness.connector();
      expect(a.origin.length).toBeGreaterThan(0);
      expect(harness.connector().origin).toBe(a.origin);
      expect(harness.connector().name).toBe(a.name);
    }));

    it("saves state that survives JSON, and a pull from it yields the same docs", withHarness(async (harness) => {
      const first = await pull(harness.connector());
      const state = first.state === undefined ? undefined : JSON.parse(JSON.stringify(first.state));
      expect(state).toEqual(first.state);
      const again = await pull(harness.connector(), state);
      expect(fingerprint(again.docs)).toEqual(fingerprint(first.docs));
    }));

    it("no longer yields what was removed at the source, from its saved state too", withHarness(async (harness) => {
      const first = await pull(harness.connector());
      await harness.removeOne();
      const after = await pull(harness.connector(), first.state === undefined ? undefined : JSON.parse(JSON.stringify(first.state)));
      const before = new Set(first.docs.map((d) => d.id));
      expect(after.docs.length).toBeLessThan(first.docs.length);
      for (const doc of after.docs) expect(before.has(doc.id), doc.id).toBe(true);
    }));

    it("reports bad input as an issue or a coded error, never a raw exception", withHarness(async (harness) => {
      try {
        const result = await pull(await harness.broken());
        expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) expect(issue.message.trim().length).toBeGreaterThan(0);
      } catch (error) {
        expect(isLlamadeskError(error), String(error)).toBe(true);
      }
    }));
  });
}
