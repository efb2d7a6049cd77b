import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { contentHashOf } from "../../src/sourceDoc.js";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { FaqFilesConnector } from "./index.js";

const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));

async function pullAll(connector: FaqFilesConnector): Promise<{ docs: SourceDoc[]; issues: SourceIssue[] }> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  for await (const doc of connector.pull({ onIssue: (issue) => issues.push(issue) })) docs.push(doc);
  return { docs, issues };
}

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(join(tmpdir(), "llamadesk-faq-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe("FaqFilesConnector", () => {
  it("yields every good entry of a directory in file order, with ids and locations", async () => {
    const { docs } = await pullAll(new FaqFilesConnector({ paths: [fixtures] }));

    expect(docs.map((doc) => [doc.id, `${doc.location?.file}:${doc.location?.line}`])).toEqual([
      ["reset-password", "entries.json:2"],
      ["entries.json#where-do-i-find-my-invoices", "entries.json:9"],
      ["entries.json#is-there-a-bracket-or-brace-in-this-string", "entries.json:10"],
      ["slack", "integrations.csv:2"],
      ["integrations.csv#does-the-zapier-integration-support-triggers", "integrations.csv:3"],
      ["integrations.csv#is-there-an-api", "integrations.csv:9"],
      ["nested/deeper/more.md#can-i-share-a-folder-with-a-client", "nested/deeper/more.md:5"],
      ["sections.md#how-do-i-pay-by-invoice", "sections.md:14"],
      ["pay-in-eur", "sections.md:19"],
      ["sections.md#where-is-my-refund", "sections.md:25"],
      ["sections.md#closing-hashes-are-dropped", "sections.md:40"],
    ]);
  });

  it("reports bad content, and duplicate ids naming both places, without throwing", async () => {
    const { issues } = await pullAll(new FaqFilesConnector({ paths: [fixtures] }));

    expect(issues.map((issue) => `${issue.file}:${issue.line}`)).toEqual([
      "broken.json:4",
      "entries.json:14",
      "entries.json:17",
      "entries.json:18",
      "entries.json:19",
      "integrations.csv:6",
      "integrations.csv:7",
      "nested/deeper/more.md:1",
      "sections.md:38",
      "sections.md:44",
    ]);
    expect(issues[7]?.message).toBe(
      'duplicate id "reset-password": already used at entries.json:2, so this entry at nested/deeper/more.md:1 is skipped. Give one of them a different id or question.',
    );
    expect(issues[9]?.message).toContain('duplicate id "sections.md#where-is-my-refund": already used at sections.md:25');
  });

  it("builds complete SourceDocs and leaves absent fields out", async () => {
    const { docs } = await pullAll(new FaqFilesConnector({ paths: [fixtures] }));
    const [withEverything, bare] = docs;

    expect(withEverything).toEqual({
      id: "reset-password",
      kind: "faq",
      title: "How do I reset my password?",
      text: 'Click "Forgot password" on the sign-in page.\nThe link is valid for 1 hour.',
      url: "https://help.example.com/reset",
      tags: ["account", "security"],
      contentHash: contentHashOf({
        kind: "faq",
        title: "How do I reset my password?",
        text: 'Click "Forgot password" on the sign-in page.\nThe link is valid for 1 hour.',
      }),
      location: { file: "entries.json", line: 2 },
    });
    expect(Object.keys(bare ?? {}).sort()).toEqual(["contentHash", "id", "kind", "location", "text", "title"]);
  });

  it("gives the same docs in the same order on every pull", async () => {
    const connector = new FaqFilesConnector({ paths: [fixtures] });

    const first = await pullAll(connector);
    const second = await pullAll(new FaqFilesConnector({ paths: [fixtures] }));

    expect(second).toEqual(first);
    expect(new Set(first.docs.map((doc) => doc.id)).size).toBe(first.docs.length);
  });

  it("names a file argument by its basename, and reads several paths in order", async () => {
    const connector = new FaqFilesConnector({
      paths: [join(fixtures, "nested", "deeper", "more.md"), join(fixtures, "integrations.csv")],
    });

    const { docs, issues } = await pullAll(connector);

    expect(docs.map((doc) => doc.id)).toEqual([
      "reset-password",
      "more.md#can-i-share-a-folder-with-a-client",
      "slack",
      "integrations.csv#does-the-zapier-integration-support-triggers",
      "integrations.csv#is-there-an-api",
    ]);
    expect(docs[1]?.location).toEqual({ file: "more.md", line: 5 });
    expect(issues).toHaveLength(2);
  });

  it("reports an unreadable file and an unsupported file argument, and goes on", async () => {
    await writeFile(join(temp, "good.md"), "## Q?\n\nA.\n");
    await symlink(join(temp, "gone.md"), join(temp, "broken-link.md"));
    await writeFile(join(temp, "faq.txt"), "## Q?\n\nA.\n");

    const { docs, issues } = await pullAll(new FaqFilesConnector({ paths: [temp, join(temp, "faq.txt")] }));

    expect(docs.map((doc) => doc.id)).toEqual(["good.md#q"]);
    expect(issues).toEqual([
      { file: "broken-link.md", message: expect.stringMatching(/^cannot read file, skipped: ENOENT/) },
      { file: "faq.txt", message: 'unsupported file type ".txt", skipped: use .md, .markdown, .json or .csv' },
    ]);
  });

  it("names each file that gives no entries, and why: no headings, an empty array, only a header, nothing at all", async () => {
    await writeFile(join(temp, "notes.md"), "Just some notes about the product.\n\nNo questions here.\n");
    await writeFile(join(temp, "empty.json"), "[]");
    await writeFile(join(temp, "header.csv"), "question,answer\n");
    await writeFile(join(temp, "blank.markdown"), "\n  \n");
    await writeFile(join(temp, "good.md"), "## Q?\n\nA.\n");

    const { docs, issues } = await pullAll(new FaqFilesConnector({ paths: [temp] }));

    expect(docs.map((doc) => doc.id)).toEqual(["good.md#q"]);
    expect(issues).toEqual([
      { file: "blank.markdown", message: "empty file, skipped" },
      { file: "empty.json", message: expect.stringMatching(/^no entries, skipped: the array is empty/) },
      { file: "header.csv", message: "no rows under the header, skipped: add one row per question" },
      { file: "notes.md", message: expect.stringMatching(/^no headings, so no questions, skipped: write each question as a heading/) },
    ]);
  });

  it("throws SOURCE_NOT_FOUND for a missing path before yielding anything", async () => {
    const connector = new FaqFilesConnector({ paths: [fixtures, join(temp, "typo")] });
    const yielded: SourceDoc[] = [];

    const error = await (async () => {
      for await (const doc of connector.pull()) yielded.push(doc);
    })().catch((caught: unknown) => caught);

    expect(isLlamadeskError(error, "SOURCE_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain(join(temp, "typo"));
    expect(yielded).toEqual([]);
  });

  it("works without onIssue", async () => {
    const docs: SourceDoc[] = [];
    for await (const doc of new FaqFilesConnector({ paths: [fixtures] }).pull()) docs.push(doc);

    expect(docs).toHaveLength(11);
  });

  it("stops when the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));

    const iterate = async () => {
      for await (const _doc of new FaqFilesConnector({ paths: [fixtures] }).pull({ signal: controller.signal })) {
        // never reached
      }
    };

    await expect(iterate()).rejects.toThrow("stop");
  });

  it("rejects bad options, naming the field", () => {
    expect(() => new FaqFilesConnector({ paths: [] })).toThrow(/`paths` must be a non-empty array/);
    expect(() => new FaqFilesConnector({ paths: ["ok", ""] })).toThrow(/`paths\[1\]` must be a non-empty string/);
    expect(() => new FaqFilesConnector({} as never)).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
    expect(new FaqFilesConnector({ paths: ["x"] }).name).toBe("faq-files");
  });

  it("has the resolved paths as its origin, whatever their order", () => {
    const a = join(temp, "a");
    const b = join(temp, "b");

    expect(new FaqFilesConnector({ paths: [a] }).origin).toBe(a);
    expect(new FaqFilesConnector({ paths: [b, a, `${a}/`] }).origin).toBe(new FaqFilesConnector({ paths: [a, b] }).origin);
    expect(new FaqFilesConnector({ paths: ["knowledge/sources"] }).origin).toBe(resolve("knowledge/sources"));
  });
});
