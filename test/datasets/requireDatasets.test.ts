import { describe, expect, it } from "vitest";
import { datasetsProblem } from "./requireDatasets.js";

// The setup of npm run test:datasets, tested with that suite (npm test never loads anything of test/datasets).
describe("datasetsProblem (npm run test:datasets's setup)", () => {
  it("names the missing folder or files and how to point the suite at them; nothing when all are there", () => {
    expect(datasetsProblem("/nowhere", () => false)).toBe(
      "npm run test:datasets needs the public datasets, and /nowhere does not exist. Put the datasets folder at ../shared/datasets beside the checkout, or set LLAMADESK_DATASETS to its path.",
    );
    expect(datasetsProblem("/d", (p) => p === "/d" || p === "/d/abcd/abcd_sample.json")).toMatch(
      /, and \/d has no stackfaq\/stackExchange-FAQ\.json, banking77\/train\.csv, banking77\/test\.csv, dstc9\/knowledge\.json\. Put/,
    );
    expect(datasetsProblem("/d", () => true)).toBeUndefined();
  });
});
