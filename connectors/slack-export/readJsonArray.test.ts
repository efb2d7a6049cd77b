import { describe, expect, it } from "vitest";
import { readJsonArray } from "./readJsonArray.js";

describe("readJsonArray", () => {
  it("parses each element with the line it starts on, strings with brackets and escapes included", () => {
    const text = '\uFEFF[\n  {"text": "a ] and a } and a \\" quote",\n   "n": [1, {"x": 2}]},\n  "two",\n  3\n]\n';
    expect(readJsonArray(text)).toEqual({
      elements: [
        { value: { text: 'a ] and a } and a " quote', n: [1, { x: 2 }] }, line: 2 },
        { value: "two", line: 4 },
        { value: 3, line: 5 },
      ],
      problems: [],
    });
    expect(readJsonArray("[]")).toEqual({ elements: [], problems: [] });
  });

  it("keeps the elements before a truncation and says where it stops", () => {
    const { elements, problems } = readJsonArray('[\n  {"a": 1},\n  {"b": 2},\n  {"c": "cut he');
    expect(elements.map((e) => e.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(problems).toEqual([{ line: 4, message: "the file ends inside element 3 (truncated?); it and anything after it were skipped" }]);
  });

  it("skips one malformed element and goes on with the next", () => {
    const { elements, problems } = readJsonArray('[\n  {"a": 1},\n  {"b": tru},\n  {"c": 3}\n]');
    expect(elements.map((e) => [e.value, e.line])).toEqual([
      [{ a: 1 }, 2],
      [{ c: 3 }, 4],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3 });
    expect(problems[0]!.message).toMatch(/^element 2 is not valid JSON, skipped: /);
  });

  it("reports a file that is not an array, and text after the array", () => {
    expect(readJsonArray('\n\n{"channels": []}').problems).toEqual([{ line: 3, message: "expected a JSON array ([ ... ])" }]);
    expect(readJsonArray("").problems).toEqual([{ line: 1, message: "the file is empty, expected a JSON array" }]);
    expect(readJsonArray('[1]\n\n{"x": 1}')).toEqual({ elements: [{ value: 1, line: 1 }], problems: [{ line: 3, message: "unexpected text after the closing ] of the array, ignored" }] });
    expect(readJsonArray("[1, 2}\n, 3]").problems).toEqual([{ line: 1, message: "unexpected } after element 2; the rest of the file was skipped" }]);
  });
});
