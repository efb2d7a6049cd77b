import { LlamadeskError } from "../errors.js";

const VARIABLE = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;

/** A prompt file with `{{variable}}` placeholders, checked when loaded and filled in on render. */
export class PromptTemplate {
  /** Variables the template uses, in order of first use. */
  readonly variables: readonly string[];

  constructor(
    readonly name: string,
    readonly text: string,
    /** Where the template came from, for error messages (a file path). */
    readonly source = name,
  ) {
    this.variables = [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
  }

  /**
   * Checks the template uses exactly the variables the caller will supply: a missing
   * one would drop information from the prompt, an unknown one would be sent verbatim.
   */
  expect(variables: readonly string[]): this {
    const missing = variables.filter((v) => !this.variables.includes(v));
    const unknown = this.variables.filter((v) => !variables.includes(v));
    if (missing.length > 0 || unknown.length > 0) {
      const problems = [
        ...missing.map((v) => `missing variable {{${v}}}`),
        ...unknown.map((v) => `unknown variable {{${v}}} (available: ${variables.map((x) => `{{${x}}}`).join(", ") || "none"})`),
      ];
      throw new LlamadeskError("PROMPT_INVALID", `${this.source}: ${problems.join("; ")}. Fix the prompt file or restore it from the llamadesk package.`);
    }
    return this;
  }

  /** Fills in every variable. Values are inserted as they are: text, never template syntax. */
  render(values: Readonly<Record<string, string>>): string {
    for (const v of this.variables) {
      if (values[v] === undefined) throw new LlamadeskError("PROMPT_INVALID", `${this.source}: no value given for {{${v}}}.`);
    }
    // One pass over the template, so a value containing "{{x}}" is not expanded again.
    return this.text.replace(VARIABLE, (_, name: string) => values[name]!);
  }
}
