import { describe, expect, test } from "vitest";
import { splitMessage } from "../../../src/channels/discord/splitMessage.js";

/** The text again from the pieces: the fences added at a cut taken out, pieces joined by a space. */
function words(chunks: string[]): string[] {
  return chunks
    .join("\n")
    .replace(/\n```\n```\w*\n/g, "\n")
    .split(/\s+/)
    .filter(Boolean);
}

const sentence = (i: number) => `Sentence number ${i} explains one more detail about limiting the upload rate.`;

describe("splitMessage", () => {
  test("a short text is one message, trailing space trimmed; an empty one is none", () => {
    expect(splitMessage("Hello there.\n\n")).toEqual(["Hello there."]);
    expect(splitMessage("  \n")).toEqual([]);
  });

  test("long prose is cut between lines and words, every piece within the limit, nothing lost", () => {
    const prose = Array.from({ length: 60 }, (_, i) => sentence(i) + (i % 3 === 2 ? "\n\n" : " ")).join("");
    const chunks = splitMessage(prose, 500);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(500);
    expect(words(chunks)).toEqual(prose.split(/\s+/).filter(Boolean));
    // Paragraph breaks are preferred: every piece but the last ends a sentence.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith(".")).toBe(true);
  });

  test("one line longer than a message is cut at spaces, never inside a word", () => {
    const line = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    const chunks = splitMessage(line, 100);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(100);
      expect(chunk).toMatch(/^word\d+( word\d+)*$/);
    }
    expect(chunks.join(" ")).toBe(line);
  });

  test("a single word longer than a message is the only thing ever cut", () => {
    const long = "x".repeat(250);
    const chunks = splitMessage(`short ${long} end`, 100);
    expect(chunks.every((c) => c.length <= 100)).toBe(true);
    expect(chunks.join("").replace(/\s/g, "")).toBe(`short${long}end`);
  });

  test("a code block across the cut is closed and reopened with its language", () => {
    const code = Array.from({ length: 30 }, (_, i) => `tidepool-cli config set limit ${i}`).join("\n");
    const text = `Run these:\n\n\`\`\`bash\n${code}\n\`\`\`\n\nThen restart Tidepool.`;
    const chunks = splitMessage(text, 300);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(300);
      expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
    }
    for (const chunk of chunks.slice(1, -1)) expect(chunk.startsWith("```bash\n")).toBe(true);
    expect(chunks.at(-1)).toMatch(/Then restart Tidepool\.$/);
    expect(words(chunks)).toEqual(text.split(/\s+/));
  });

  test("a block opening right at a cut moves whole to the next message (no empty block left behind)", () => {
    const before = "a".repeat(40) + " " + "b".repeat(40);
    const text = `${before}\n\`\`\`js\nconst x = 1;\n\`\`\``;
    const chunks = splitMessage(text, 90);
    expect(chunks[0]).toBe(before);
    expect(chunks[1]).toBe("```js\nconst x = 1;\n```");
  });

  test("inline ``` pairs on one line do not open a block", () => {
    const text = `Use \`\`\`inline\`\`\` here. ${"filler ".repeat(30)}\nlast line`;
    const chunks = splitMessage(text, 120);
    for (const chunk of chunks) expect(chunk.endsWith("\n```")).toBe(false);
  });
});
