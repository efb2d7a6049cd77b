import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { CLI, runCli } from "../support/runCli.js";

// Mistakes on the command line are caught before anything is loaded, so these need no index.
describe("command-line mistakes and --version (built bin)", () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
  });

  it.each([
    [["ask", "hello", "--mode", "bogus"], "INVALID_OPTION", /'--mode <mode>' argument 'bogus' is invalid\. Allowed choices are auto, generative, extractive\. See `llamadesk ask --help`/],
    [["serve", "--mode", "bogus"], "INVALID_OPTION", /'--mode <mode>' argument 'bogus' is invalid\. Allowed choices are auto, generative, extractive\. See `llamadesk serve --help`/],
    [["search", "hello", "--mode", "bogus"], "INVALID_OPTION", /--mode must be one of hybrid, vector, lexical \(got "bogus"\)/],
    [["ingest", "faq", "--vector-index", "flat"], "INVALID_OPTION", /'--vector-index <kind>' argument 'flat' is invalid\. Allowed choices are hnsw, exact/],
    [["ingest", "faq", "--bogus"], "INVALID_OPTION", /Unknown option '--bogus'\. See `llamadesk ingest --help` for its options/],
    [["search", "hello", "--jsn"], "INVALID_OPTION", /Unknown option '--jsn' \(Did you mean --json\?\) See `llamadesk search --help`/],
    [["eval"], "INVALID_OPTION", /Required option '--queries <file>' not specified\. See `llamadesk eval --help`/],
    [["pull", "--timeout"], "INVALID_OPTION", /'--timeout <seconds>' argument missing/],
    [["slack", "--socket", "--http"], "INVALID_OPTION", /'--socket' cannot be used with option '--http'/],
    [["discord", "register", "--bogus"], "INVALID_OPTION", /Unknown option '--bogus'\. See `llamadesk discord register --help`/],
    [["demo", "--questions", "none"], "INVALID_OPTION", /--questions must be a whole number of at least 1 \(got "none"\)/],
    [["eval", "--queries", "q.jsonl", "--show-misses", "-1"], "INVALID_OPTION", /--show-misses must be a whole number of at least 0/],
    [["search"], "INVALID_ARGUMENT", /Missing required argument 'query'\. See `llamadesk search --help`/],
    [["ask", "one", "two"], "INVALID_ARGUMENT", /Too many arguments for 'ask'/],
    [["bogus"], "INVALID_ARGUMENT", /Unknown command 'bogus'\. See `llamadesk --help` for the commands\./],
  ])("llamadesk %j: one line, error [%s], how to fix it, exit 1", async (args, code, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(new RegExp(`^error \\[${code}\\]: [^\\n]+\\n$`));
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("Usage:"); // not the whole help
  });

  it("--version and -v print package.json's version; --help still prints the help", async () => {
    const { version } = JSON.parse(await readFile(`${packageRoot}/package.json`, "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) expect(await runCli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    const help = await runCli(["ingest", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: llamadesk ingest \[options\] <path\.\.\.>/);
  });
});
