#!/usr/bin/env node
import { Command, Option } from "commander";
import { LlamadeskError } from "../errors.js";
import { parseK, parseMode } from "./cliOptions.js";
import { demoCommand } from "./demoCommand.js";
import { evalCommand } from "./evalCommand.js";
import { ingestCommand } from "./ingestCommand.js";
import { searchCommand } from "./searchCommand.js";

const program = new Command("llamadesk")
  .description("Support bots that answer from your own FAQ and past chats, on your own machine.")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(`error: ${text.replace(/^error: /, "")}`) });

const indexOption = () => new Option("--index <dir>", "index directory (env LLAMADESK_INDEX; default knowledge/index)");
const embedderOption = () => new Option("--embedder <kind>", "embedder: use-lite (default, built in) or gguf (env LLAMADESK_EMBEDDER)");
const embedderModelOption = () => new Option("--embedder-model <path>", "GGUF embedding model for --embedder gguf (env LLAMADESK_EMBEDDER_MODEL)");
const kOption = (fallback: string) => new Option("--k <n>", "number of results").default(parseK(fallback), fallback).argParser(parseK);
const modeOption = () => new Option("--mode <mode>", "retrieval: hybrid, vector or lexical").default("hybrid").argParser(parseMode);

program
  .command("ingest")
  .description("read FAQ files (Markdown, JSON, CSV; folders are walked) into the index; only changed entries are re-embedded")
  .argument("<path...>", "files or folders to read")
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .option("--strict", "fail (and leave the index unchanged) on any malformed file or entry")
  .option("--rebuild", "start from an empty index instead of updating the existing one")
  .addOption(new Option("--vector-index <kind>", "vector index for a new index").choices(["hnsw", "exact"]))
  .option("--json", "print the summary as JSON")
  .action(async (paths: string[], opts) => finish(await ingestCommand(paths, opts)));

program
  .command("search")
  .description("print the passages that best match a question, with scores and sources")
  .argument("<query>", "the question")
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .addOption(kOption("5"))
  .addOption(modeOption())
  .option("--json", 'print {"results": [{"id", "score", "text", "source"}]}')
  .action(async (query: string, opts) => finish(await searchCommand(query, opts)));

program
  .command("eval")
  .description("measure retrieval on labelled queries: MRR, Recall@1, Recall@5, Recall@k")
  .requiredOption("--queries <file>", 'JSONL file of {"query": "...", "relevant": ["docId", ...]}')
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .addOption(kOption("10"))
  .addOption(modeOption())
  .addOption(new Option("--show-misses <n>", "misses to list").default(20).argParser(Number))
  .option("--json", "print the metrics as one JSON object")
  .action(async (opts) => finish(await evalCommand(opts)));

program
  .command("demo")
  .description("ingest the shipped sample FAQ and answer a few customer questions from it")
  .addOption(indexOption())
  .addOption(new Option("--questions <n>", "sample questions to answer").default(4).argParser(Number))
  .action(async (opts) => finish(await demoCommand(opts)));

function finish(code: number): void {
  process.exitCode = code;
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof LlamadeskError) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    // Unexpected: a bug. Say so plainly; the stack only on request.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: unexpected failure: ${message}\n`);
    if (process.env.LLAMADESK_DEBUG) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
    else process.stderr.write("Run again with LLAMADESK_DEBUG=1 for details, and please report it.\n");
    process.exitCode = 1;
  }
}
