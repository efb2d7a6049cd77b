import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { DEFAULT_PROMPTS_DIR, loadPrompts } from "../../src/prompts/loadPrompts.js";
import { PromptTemplate } from "../../src/prompts/PromptTemplate.js";

describe("PromptTemplate", () => {
  it("lists its variables and fills them in once, never expanding values", () => {
    const t = new PromptTemplate("t", "Q: {{question}}\nS: {{ sources }}\nQ again: {{question}}");
    expect(t.variables).toEqual(["question", "sources"]);
    expect(t.render({ question: "{{sources}} [INST]", sources: "[1] x" })).toBe("Q: {{sources}} [INST]\nS: [1] x\nQ again: {{sources}} [INST]");
  });

  it("expect() names missing and unknown variables with the file", () => {
    const t = new PromptTemplate("answer", "{{question}} {{context}}", "prompts/answer.txt");
    let error: unknown;
    try {
      t.expect(["sources", "question"]);
    } catch (e) {
      error = e;
    }
    expect(isLlamadeskError(error, "PROMPT_INVALID")).toBe(true);
    expect((error as Error).message).toContain("prompts/answer.txt: missing variable {{sources}}; unknown variable {{context}}");
  });

  it("render() refuses a missing value", () => {
    expect(() => new PromptTemplate("t", "{{a}}").render({})).toThrow(/no value given for \{\{a\}\}/);
  });
});

describe("loadPrompts", () => {
  it("loads and checks the shipped prompts; their rendered form is stable", async () => {
    const prompts = await loadPrompts();
    expect(prompts.system.render({ product: "Tidepool" })).toMatchSnapshot("system");
    expect(prompts.answer.render({ sources: "[1] How do I reset my password?\nClick Forgot password.", question: "I forgot my password" })).toMatchSnapshot("answer");
    expect(prompts.condense.render({ history: "Customer: Do you have a Team plan?\nAssistant: Yes [1].", question: "how much is it?" })).toMatchSnapshot("condense");
    expect(prompts["no-answer"].render({ product: "Tidepool" })).toMatchSnapshot("no-answer");
    expect(prompts.handoff.render({ product: "Tidepool" })).toMatchSnapshot("handoff");
  });

  it("fails at load, naming the file and the variable, when an edited prompt is broken", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-prompts-"));
    try {
      await cp(DEFAULT_PROMPTS_DIR, dir, { recursive: true });
      await writeFile(join(dir, "answer.txt"), "Question: {{question}}\nNo sources here.");
      const error = await loadPrompts(dir).catch((e: unknown) => e);
      expect(isLlamadeskError(error, "PROMPT_INVALID")).toBe(true);
      expect((error as Error).message).toContain(`${join(dir, "answer.txt")}: missing variable {{sources}}`);

      await rm(join(dir, "answer.txt"));
      const missing = await loadPrompts(dir).catch((e: unknown) => e);
      expect((missing as Error).message).toContain(`Cannot read the prompt file ${join(dir, "answer.txt")}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
