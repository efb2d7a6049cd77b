import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_QUESTIONS_FILE, SAMPLE_QUERIES_FILE, SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { readIndexManifest } from "../../src/knowledge/KnowledgeIndex.js";
import { CLI, runCli } from "../support/runCli.js";

describe("llamadesk CLI (built bin)", () => {
  let work: string;
  let indexDir: string;
  let sampleCount: number;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-cli-"));
    indexDir = join(work, "index");
    const result = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("warning");
    sampleCount = JSON.parse(result.stdout).read;
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("ingest prints a summary; an unchanged re-ingest embeds nothing", async () => {
    const again = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Ingested ${sampleCount} docs`);
    expect(again.stdout).toContain(`0 added, 0 updated, 0 deleted, ${sampleCount} unchanged, 0 errors`);
    expect(again.stdout).toContain("(0 embedded now)");
  });

  it("search --json prints ranked results with doc id, score, text and source", async () => {
    const { code, stdout } = await runCli(["search", "how much is the team plan per user", "--index", indexDir, "--k", "3", "--json"]);
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout) as { results: { id: string; score: number; text: string; source: string }[] };
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(typeof r.id).toBe("string");
      expect(typeof r.score).toBe("number");
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.source).toMatch(/:\d+$|^https?:\/\//);
    }
    expect(results[0]!.text).toMatch(/\$15/);
  });

  it("search prints readable results in every mode, and LLAMADESK_INDEX picks the index", async () => {
    for (const mode of ["hybrid", "vector", "lexical"]) {
      const { code, stdout } = await runCli(["search", "conflicted copy", "--mode", mode], { env: { LLAMADESK_INDEX: indexDir } });
      expect(code).toBe(0);
      expect(stdout).toMatch(/^1\. \[\d\.\d{3}\] .+\n {3}\S+/);
    }
  });

  it("eval --json prints mrr, recall_at_1 and recall_at_5", async () => {
    const { code, stdout } = await runCli(["eval", "--queries", SAMPLE_QUERIES_FILE, "--index", indexDir, "--json"]);
    expect(code).toBe(0);
    const metrics = JSON.parse(stdout);
    for (const key of ["mrr", "recall_at_1", "recall_at_5", "recall_at_k"]) {
      expect(metrics[key]).toBeGreaterThanOrEqual(0);
      expect(metrics[key]).toBeLessThanOrEqual(1);
    }
    expect(metrics.recall_at_5).toBeGreaterThanOrEqual(metrics.recall_at_1);
    expect(metrics.queries).toBeGreaterThanOrEqual(30);
  });

  it("eval prints a report with misses", async () => {
    const { code, stdout } = await runCli(["eval", "--queries", SAMPLE_QUERIES_FILE, "--index", indexDir, "--k", "5", "--mode", "lexical"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/MRR@5 +\d\.\d{3}/);
    expect(stdout).toMatch(/Recall@1 +\d\.\d{3}/);
    expect(stdout).toMatch(/Misses: \d+ queries/);
  });

  it("eval --answers runs the answer policy over labelled and out-of-scope questions and prints the rates", async () => {
    const outOfScope = join(work, "out-of-scope.txt");
    await writeFile(outOfScope, "What mortgage rates do you offer?\n\nCan I top up my card with cash at a post office?\nWhich train goes to Cambridge on Sunday?\n");
    const json = await runCli(["eval", "--answers", "--queries", SAMPLE_QUERIES_FILE, "--out-of-scope", outOfScope, "--index", indexDir, "--json"]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.policy).toMatchObject({ mode: "auto", chatModel: null });
    expect(result.answerable.questions).toBeGreaterThanOrEqual(30);
    const a = result.answerable;
    expect(a.answered + a.unsure + a.declined).toBeCloseTo(1, 9);
    expect(a.right + a.wrong).toBeCloseTo(a.answered, 9);
    expect(a.right).toBeGreaterThan(a.wrong);
    expect(result.outOfScope).toMatchObject({ questions: 3 });
    expect(result.outOfScope.abstained + result.outOfScope.answered).toBeCloseTo(1, 9);
    expect(result.outcomes).toHaveLength(a.questions + 3);
    expect(result.outcomes.at(-3)).toMatchObject({ query: "What mortgage rates do you offer?", relevant: [], kind: "abstained" });

    const text = await runCli(["eval", "--answers", "--queries", SAMPLE_QUERIES_FILE, "--out-of-scope", outOfScope, "--index", indexDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/answer mode auto, no chat model/);
    for (const row of ["answered", "right", "wrong", "related", "abstained", "unsure", "declined"]) expect(text.stdout).toMatch(new RegExp(`^ +${row} +\\d+\\.\\d%`, "m"));
    expect(text.stdout).toMatch(/Out-of-scope questions\n {2}abstained +\d+\.\d%/);

    const misuse = await runCli(["eval", "--queries", SAMPLE_QUERIES_FILE, "--out-of-scope", outOfScope, "--index", indexDir]);
    expect(misuse.code).not.toBe(0);
    expect(misuse.stderr).toContain("--out-of-scope goes with --answers");
  });

  it("malformed input: warns with file and line, ingests the rest; --strict refuses; nothing usable fails", async () => {
    const src = join(work, "mixed");
    await cp(SAMPLE_SOURCES_DIR, src, { recursive: true });
    await writeFile(join(src, "broken.csv"), 'question,answer\n"Good?","Yes"\n"Only one field"\n');
    const idx = join(work, "mixed-index");

    const strict = await runCli(["ingest", src, "--index", idx, "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("broken.csv:3:");
    expect(strict.stderr).toContain("[INGEST_ERRORS]");
    expect(await readIndexManifest(idx)).toBeUndefined();

    const lenient = await runCli(["ingest", src, "--index", idx]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warning: broken\.csv:3: .+/);
    expect(lenient.stdout).toContain(`Ingested ${sampleCount + 1} docs`);
    expect(lenient.stdout).toContain("1 errors");

    const junk = join(work, "junk");
    await mkdir(junk);
    await writeFile(join(junk, "only.csv"), "q,a\nx,y\n");
    const nothing = await runCli(["ingest", junk, "--index", join(work, "junk-index")]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("[NOTHING_INGESTED]");
    expect(nothing.stderr).not.toMatch(/\n\s+at /); // no stack trace

    // A file that gives nothing is named, with why, in a warning and in the error.
    const notes = join(work, "notes");
    await mkdir(notes);
    await writeFile(join(notes, "notes.md"), "Some notes about the product, without headings.\n");
    const headless = await runCli(["ingest", notes, "--index", join(work, "notes-index")]);
    expect(headless.code).toBe(1);
    expect(headless.stderr).toMatch(/^warning: notes\.md: no headings, so no questions, skipped: write each question as a heading/m);
    expect(headless.stderr).toMatch(/error \[NOTHING_INGESTED\]: No usable FAQ entries in .*notes\. notes\.md: no headings, so no questions/);
    await writeFile(join(notes, "notes.md.txt"), "moved away");
    await rm(join(notes, "notes.md"));
    const noFaqFiles = await runCli(["ingest", notes, "--index", join(work, "notes-index")]);
    expect(noFaqFiles.stderr).toMatch(/error \[NOTHING_INGESTED\]: No FAQ files in .*notes: looked for \.md, \.markdown, \.json and \.csv files/);
  });

  it("clear errors, no stack traces: missing source, missing index, bad options", async () => {
    const missingSource = await runCli(["ingest", "./no-such-dir", "--index", join(work, "x")], { cwd: work });
    expect(missingSource.code).toBe(1);
    // Said to a CLI user as a CLI user would say it, not in terms of the connector's options.
    expect(missingSource.stderr).toBe(
      `error [SOURCE_NOT_FOUND]: No such file or folder: ./no-such-dir (looked for ${join(work, "no-such-dir")}: relative paths start from the current folder). Check the path and run the command again.\n`,
    );

    const missingIndex = await runCli(["search", "hello", "--index", join(work, "empty")]);
    expect(missingIndex.code).toBe(1);
    expect(missingIndex.stderr).toMatch(/\[INDEX_NOT_FOUND\].*llamadesk ingest/);

    const badK = await runCli(["search", "hello", "--index", indexDir, "--k", "zero"]);
    expect(badK.code).not.toBe(0);
    expect(badK.stderr).toContain("--k must be a whole number");

    const badMode = await runCli(["search", "hello", "--index", indexDir, "--mode", "fuzzy"]);
    expect(badMode.code).not.toBe(0);
    expect(badMode.stderr).toContain("--mode must be one of hybrid, vector, lexical");

    for (const r of [missingSource, missingIndex, badK, badMode]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an ingest killed mid-way leaves the previous index loadable", async () => {
    const src = join(work, "big");
    const idx = join(work, "big-index");
    await cp(SAMPLE_SOURCES_DIR, src, { recursive: true });
    expect((await runCli(["ingest", src, "--index", idx])).code).toBe(0);
    const generation = await readFile(join(idx, "CURRENT"), "utf8");

    // Enough new entries that embedding takes a while, then SIGKILL once it has begun.
    const extra = Array.from({ length: 600 }, (_, i) => ({ question: `Extra question ${i} about storage quota ${i}?`, answer: `Answer ${i}.` }));
    await writeFile(join(src, "extra.json"), JSON.stringify(extra));
    const child = spawn(process.execPath, [CLI, "ingest", src, "--index", idx], { env: { ...process.env, LLAMADESK_INDEX: "" } });
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        if (d.toString().includes("Embedding:")) resolve();
      });
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));

    expect(await readFile(join(idx, "CURRENT"), "utf8")).toBe(generation);
    const { code, stdout } = await runCli(["search", "conflicted copy", "--index", idx, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).results.length).toBeGreaterThan(0);
  });

  it("demo ingests the sample and answers every question in knowledge/demo-questions.txt in auto mode, each from the right entry", async () => {
    const questions = (await readFile(DEMO_QUESTIONS_FILE, "utf8")).split("\n").filter((q) => q.trim());
    const { code, stdout } = await runCli(["demo", "--index", join(work, "demo-index")]);
    expect(code).toBe(0);
    expect(stdout).toContain("Answering in auto mode without a chat model");
    expect(stdout.match(/^Q: .+$/gm)).toEqual(questions.map((q) => `Q: ${q}`));
    expect(stdout).toMatch(/^A: .+/m);
    // What the README says the demo shows: all five answered verbatim from the entry that answers them (the pricing
    // question from the price table; near ties with a related entry listed under them), and a line that says so.
    const sourceOf = (question: string) => new RegExp(`Q: ${question.replace(/[?]/g, "\\?")}\\n[\\s\\S]*?\\n {3}extractive; Sources:\\n {5}\\[1\\] (.+) — `).exec(stdout)?.[1];
    expect(questions.map(sourceOf)).toEqual([
      "What plans are there and how much do they cost?",
      "A file disappeared from my Tidepool folder. How do I get it back?",
      "How do we set up single sign-on with Okta or Microsoft Entra ID?",
      "How do I stop Tidepool from using all my bandwidth?",
      "Is my data encrypted?",
    ]);
    expect(stdout.match(/^ {3}extractive; Sources:\n {5}\[1\] .+ — (\S+:\d+|https?:\/\/\S+)$/gm)).toHaveLength(questions.length);
    expect(stdout).not.toContain("no answer;");
    expect(stdout).toContain(`Answered ${questions.length} of ${questions.length} questions.`);
    expect(stdout).toMatch(/MRR \d\.\d{3}, Recall@1 \d\.\d{3}, Recall@5 \d\.\d{3}/);
    const two = await runCli(["demo", "--index", join(work, "demo-index"), "--questions", "2"]);
    expect(two.stdout.match(/^Q: /gm)).toHaveLength(2);
  });
});
