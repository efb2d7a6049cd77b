#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { LlamadeskError } from "../errors.js";
import { parseK, parseMode, parsePort, parseWholeNumber } from "./cliOptions.js";
import { askCommand } from "./askCommand.js";
import { chatCommand } from "./chatCommand.js";
import { demoCommand } from "./demoCommand.js";
import { discordCommand, discordRegisterCommand } from "./discordCommand.js";
import { evalCommand } from "./evalCommand.js";
import { ingestCommand } from "./ingestCommand.js";
import { pullCommand, secondsParser } from "./pullCommand.js";
import { reportCommand } from "./reportCommand.js";
import { reviewCommand } from "./reviewCommand.js";
import { searchCommand } from "./searchCommand.js";
import { slackCommand } from "./slackCommand.js";
import { serveCommand } from "./serveCommand.js";
import { syncCommand } from "./syncCommand.js";
import { exportFinetuneCommand } from "./exportFinetuneCommand.js";
import { dbMigrateCommand, dbStatusCommand } from "./dbCommand.js";
import { migrateToPostgresCommand } from "./migrateToPostgresCommand.js";
import { packageVersion } from "./packageVersion.js";
import { throwUsageErrors } from "./usageErrors.js";
import { parseInterval } from "../sync/parseInterval.js";

const program = new Command("llamadesk")
  .description("Support bots that answer from your own FAQ and past chats, on your own machine.")
  .version(packageVersion(), "-v, --version", "print the version");

const indexOption = () => new Option("--index <dir>", "index directory (else the config file's index, else env LLAMADESK_INDEX, else knowledge/index)");
const embedderOption = () =>
  new Option(
    "--embedder <kind>",
    "embedder: use-lite (default, built in), gguf, or openai (an OpenAI-compatible /v1/embeddings server) (else the config file's, else env LLAMADESK_EMBEDDER); " +
      "policy.minConfidence is calibrated on use-lite: `llamadesk eval` prints the figures to set it for another",
  );
const embedderModelOption = () =>
  new Option("--embedder-model <path|name>", "GGUF embedding model for --embedder gguf, or the model's name for --embedder openai (else the config file's embedderModel, else env LLAMADESK_EMBEDDER_MODEL)");
const configOption = () => new Option("--config <file>", "config file (env LLAMADESK_CONFIG; default ./llamadesk.config.json if present)");
const kOption = (fallback: string) => new Option("--k <n>", "number of results").default(parseK(fallback), fallback).argParser(parseK);
const modeOption = () => new Option("--mode <mode>", "retrieval: hybrid, vector or lexical").default("hybrid").argParser(parseMode);
const noWaitOption = () => new Option("--no-wait", "fail at once (INDEX_LOCKED) instead of waiting while another command writes the index");

program
  .command("ingest")
  .description("read FAQ files (Markdown, JSON, CSV; folders are walked) into the index; only changed entries are re-embedded")
  .argument("<path...>", "files or folders to read")
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .addOption(configOption())
  .option("--strict", "fail (and leave the index unchanged) on any malformed file or entry")
  .option("--rebuild", "start from an empty index instead of updating the existing one")
  .addOption(new Option("--vector-index <kind>", "vector index for a new index").choices(["hnsw", "exact"]))
  .option("--json", "print the summary as JSON")
  .addOption(noWaitOption())
  .action(async (paths: string[], opts) => finish(await ingestCommand(paths, opts)));

program
  .command("search")
  .description("print the passages that best match a question, with scores and sources")
  .argument("<query>", "the question")
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .addOption(configOption())
  .addOption(kOption("5"))
  .addOption(modeOption())
  .option("--json", 'print {"results": [{"id", "score", "text", "source"}]}')
  .action(async (query: string, opts) => finish(await searchCommand(query, opts)));

const modelOption = () =>
  new Option("--model <path|url>", "chat model: a GGUF file, or an OpenAI-compatible server's http(s)://host:port/v1 URL (else the config file's model, else env LLAMADESK_MODEL; none: extractive answers)");
const modelNameOption = () => new Option("--model-name <name>", "with a server --model: the model to ask for (env LLAMADESK_MODEL_NAME; default: the first of GET /v1/models)");
const modelKeyEnvOption = () => new Option("--model-key-env <variable>", "with a server --model: the environment variable holding its API key (env LLAMADESK_MODEL_KEY_ENV; default: no key)");
const answerModeOption = () =>
  new Option("--mode <mode>", "auto (default): verbatim FAQ answer when one clearly matches, else generated; generative; extractive").choices([
    "auto",
    "generative",
    "extractive",
  ]);
const maxTokensOption = () => new Option("--max-tokens <n>", "longest generated answer, in tokens (default 384)").argParser(parseWholeNumber("--max-tokens"));
/** The options of the commands that answer through the bot. */
const withBotOptions = (command: Command) =>
  [indexOption(), modelOption(), modelNameOption(), modelKeyEnvOption(), answerModeOption(), configOption(), maxTokensOption(), embedderOption(), embedderModelOption()].reduce(
    (c, option) => c.addOption(option),
    command,
  );

withBotOptions(
  program
    .command("ask")
    .description("answer one question from the knowledge, streaming the answer, then its sources")
    .argument("<question>", "the customer's question"),
)
  .option("--conversation <id>", "continue a conversation (ids are printed by --json)")
  .option("--json", 'print {"answer", "mode", "abstained", "handoff", "sources": [{"id", "title", "source", "score"}], "timing"}')
  .action(async (question: string, opts) => finish(await askCommand(question, opts)));

withBotOptions(program.command("chat").description("talk to the bot in the terminal: memory, streaming, /sources, /reset")).action(async (opts) => finish(await chatCommand(opts)));

withBotOptions(program.command("slack").description("run the Slack bot (HTTP Events API or Socket Mode) until Ctrl-C; see README, \"Slack\""))
  .addOption(new Option("--socket", "Socket Mode: no public URL needed (env SLACK_APP_TOKEN)").conflicts("http"))
  .addOption(new Option("--http", "HTTP Events API mode (env SLACK_SIGNING_SECRET)"))
  .addOption(new Option("--port <n>", "HTTP mode: port to listen on (env PORT; default 3000)").argParser((v) => parsePort(v)))
  .action(async (opts) => finish(await slackCommand(opts)));

const discord = withBotOptions(program.command("discord").description("run the Discord bot until Ctrl-C; see README, \"Discord\"")).action(async (opts) =>
  finish(await discordCommand(opts)),
);
discord
  .command("register")
  .description("register the /ask slash command: in one server with --guild (at once), else globally")
  .option("--guild <id>", "server id (else the config file's discord.guildId, else global)")
  .addOption(configOption())
  .action(async (opts, command: Command) => finish(await discordRegisterCommand({ ...command.parent?.opts(), ...opts })));

withBotOptions(program.command("serve").description("serve the HTTP API, the website widget (/widget.js) and a demo page (/) until Ctrl-C"))
  .addOption(new Option("--port <n>", "port (else the config file's web.port, else env PORT, else 8787; 0 picks a free one)").argParser((v) => parsePort(v)))
  .option("--host <address>", "interface to listen on (else the config file's web.host, else 127.0.0.1)")
  .action(async (opts) => finish(await serveCommand(opts)));

program
  .command("eval")
  .description("measure retrieval on labelled queries: MRR, Recall@1, Recall@5, Recall@k, and what each minConfidence would answer with this embedder")
  .requiredOption("--queries <file>", 'JSONL file of {"query": "...", "relevant": ["docId", ...]}')
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .addOption(configOption())
  .addOption(kOption("10"))
  .addOption(modeOption())
  .addOption(new Option("--show-misses <n>", "misses to list").default(20).argParser(parseWholeNumber("--show-misses", 0)))
  .option("--off-topic <file>", "questions the knowledge cannot answer, one per line: the answerability calibration then shows how many each minConfidence lets through")
  .option("--json", "print the metrics as one JSON object")
  .option("--answers", "run the whole answer policy (bot.ask) on the queries: answered / right / related / abstained / wrong rates")
  .option("--out-of-scope <file>", "with --answers: questions the knowledge should not answer, one per line (abstaining is right)")
  .addOption(modelOption())
  .addOption(new Option("--answer-mode <mode>", "with --answers: auto (default), generative or extractive").choices(["auto", "generative", "extractive"]))
  .action(async (opts) => finish(await evalCommand(opts)));

program
  .command("demo")
  .description("ingest the shipped sample FAQ and answer a few customer questions from it")
  .addOption(indexOption())
  .addOption(new Option("--questions <n>", "sample questions to answer (default: all of them)").argParser(parseWholeNumber("--questions")))
  .addOption(modelOption())
  .addOption(modelNameOption())
  .addOption(modelKeyEnvOption())
  .addOption(configOption())
  .action(async (opts) => finish(await demoCommand(opts)));

program
  .command("pull")
  .description("download a GGUF chat model (default: Llama 2 7B Chat, Q4_K_M, 4.1 GB); an interrupted pull resumes")
  .argument("[uri]", "hf:<user>/<repo>/<file>.gguf, hf:<user>/<repo>:<quant> or an http(s):// URL of a .gguf file")
  .option("--dir <dir>", "directory to save into (env LLAMADESK_MODELS_DIR; default models)")
  .addOption(new Option("--timeout <seconds>", "give up when the server does not answer within this long (default 5)").argParser(secondsParser("--timeout")))
  .addOption(
    new Option("--stall-timeout <seconds>", "give up when no data arrives for this long; a rerun resumes (default 60)").argParser(secondsParser("--stall-timeout")),
  )
  .option("--json", 'print {"path", "bytes", "alreadyPresent"}')
  .action(async (uri: string | undefined, opts) => finish(await pullCommand(uri, opts)));

program
  .command("sync")
  .description("pull every source in the config file (FAQ files, Slack, Discord, transcripts) into the index; only what changed is fetched and re-embedded")
  .addOption(configOption())
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .option("--watch", "keep syncing on a schedule (every 15 minutes unless --every says otherwise)")
  .addOption(new Option("--every <duration>", "sync on this schedule, e.g. 30s, 15m, 1h (implies --watch)").argParser((v) => parseInterval(v)))
  .option("--full", "ignore saved cursors and pull everything again")
  .option("--no-mine", "do not mine resolved chat threads into the review queue this time")
  .option("--queue <file>", "review queue (default: the config's mining.queue, else review.sqlite beside the index)")
  .option("--json", "print one JSON summary per run")
  .addOption(noWaitOption())
  .action(async (opts) => finish(await syncCommand(opts)));

program
  .command("review")
  .description("review question/answer candidates mined from resolved chats: approve, edit or reject them (interactive in a terminal)")
  .option("--status <status>", "which to list: pending (default), approved, rejected, merged or all")
  .option("--json", 'print {"queue", "status", "candidates": [...]} (with --approve/--reject/--edit: the changed candidate)')
  .option("--approve <id>", "approve a candidate (with --question/--answer to change its wording)")
  .option("--reject <id>", "reject a candidate: its thread is never proposed again")
  .option("--edit <id>", "change a candidate's wording (--question and/or --answer), keeping its status")
  .option("--question <text>", "the question, for --edit or --approve")
  .option("--answer <text>", "the answer, for --edit or --approve")
  .option("--interactive", "go through pending candidates one by one (default in a terminal without --status or --json)")
  .option("--queue <file>", "review queue file (default: the config's mining.queue, else review.sqlite beside the index)")
  .addOption(indexOption())
  .addOption(configOption())
  .action(async (opts) => finish(await reviewCommand(opts)));

program
  .command("report")
  .description("what the bot answered, where it failed (coverage gaps) and which entries served: deflection rate, counts, timings; see README, \"Insights\"")
  .option("--since <when>", "start of the report: 7d (default), 30d, 24h, a date (2024-05-01) or an ISO time")
  .option("--channel <name>", "only this channel: cli, web, slack or discord")
  .option("--json", 'print {"period", "totals", "byPeriod", "byChannel", "gaps": [{"id", "size", "examples", "closestEntry", ...}], "entries"}')
  .option("--store <file>", "conversation store (default: the config's store, else conversations.sqlite beside the index)")
  .addOption(indexOption())
  .addOption(embedderOption())
  .addOption(embedderModelOption())
  .addOption(configOption())
  .action(async (opts) => finish(await reportCommand(opts)));

program
  .command("export-finetune")
  .description("write approved Q/A and resolved threads as a JSONL training set for a LoRA (Llama 2-Chat or Alpaca format), personal data redacted")
  .addOption(new Option("--format <format>", "llama2-chat ({\"text\": \"<s>[INST] ... [/INST] ... </s>\"}) or alpaca ({instruction, input, output})").choices(["llama2-chat", "alpaca"]).makeOptionMandatory())
  .requiredOption("--out <file>", "the JSONL file to write")
  .option("--with-faq", "also export the index's FAQ entries")
  .option("--no-redact", "keep emails, phone numbers and user mentions (they are redacted by default)")
  .option("--system <text>", "system prompt of each llama2-chat example (default: the bot's, with your product name)")
  .option("--no-system", "no system prompt")
  .option("--queue <file>", "review queue (default: the config's mining.queue, else review.sqlite beside the index)")
  .addOption(indexOption())
  .addOption(configOption())
  .option("--json", 'print {"out", "format", "examples", "duplicates", "approved", "threads", "faq", "redacted"}')
  .action(async (opts) => finish(await exportFinetuneCommand(opts)));

const databaseOption = (what = "PostgreSQL") =>
  new Option("--database <url>", `${what} (postgresql://user@host:5432/db; else the config file's database, else env LLAMADESK_DATABASE_URL)`);

const db = program.command("db").description("the PostgreSQL database (see README, \"Moving to PostgreSQL\"): migrate, status");
db.command("migrate")
  .description("bring the database to this llamadesk's schema (any command does on first use too) and print the steps applied")
  .addOption(databaseOption())
  .addOption(configOption())
  .option("--json", 'print {"database", "applied": [{"version", "name"}], "version"}')
  .action(async (opts) => finish(await dbMigrateCommand(opts)));
db.command("status")
  .description("the schema version against this llamadesk's, and per knowledge base: embedder, docs, chunks, last change, conversations, pending review, tickets; changes nothing")
  .addOption(databaseOption())
  .addOption(configOption())
  .option("--json", 'print {"database", "schema": {"version", "latest", "pending", "newer"}, "knowledgeBases": [...]}')
  .action(async (opts) => finish(await dbStatusCommand(opts)));

program
  .command("migrate-to-postgres")
  .description("copy the local index (nothing is embedded again), conversations, review queue and handoff tickets into PostgreSQL; a rerun copies only what is missing")
  .addOption(databaseOption("the database to copy into"))
  .addOption(new Option("--knowledge <name>", "the knowledge base to copy into (else the config file's knowledge, else env LLAMADESK_KNOWLEDGE, else default)"))
  .addOption(indexOption())
  .option("--store <file>", "conversation store (default: the config's store, else conversations.sqlite beside the index)")
  .option("--queue <file>", "review queue (default: the config's mining.queue, else review.sqlite beside the index)")
  .option("--tickets <file>", "handoff tickets (default: the config's web.tickets, else handoff-tickets.sqlite beside the conversation store)")
  .option("--replace", "replace the knowledge the knowledge base holds (without it, one holding other docs is refused)")
  .addOption(configOption())
  .option("--json", 'print {"database", "knowledge", "index", "conversations", "reviewQueue", "tickets"}')
  .addOption(noWaitOption())
  .action(async (opts) => finish(await migrateToPostgresCommand(opts)));

function finish(code: number): void {
  process.exitCode = code;
}

// Every command that embeds (those with --embedder) can embed on an OpenAI-compatible server.
for (const command of program.commands.flatMap((c) => [c, ...c.commands])) {
  if (!command.options.some((o) => o.long === "--embedder")) continue;
  command.addOption(new Option("--embedder-url <url>", "for --embedder openai: the server's http(s)://host:port/v1 URL (else the config file's embedderUrl, else env LLAMADESK_EMBEDDER_URL)"));
  command.addOption(new Option("--embedder-key-env <variable>", "for --embedder openai: the environment variable holding its API key (else the config file's embedderKeyEnv, else env LLAMADESK_EMBEDDER_KEY_ENV)"));
}

// Every command that reads or writes knowledge or state (those with --index) can use PostgreSQL instead.
for (const command of program.commands.flatMap((c) => [c, ...c.commands])) {
  if (!command.options.some((o) => o.long === "--index") || command.options.some((o) => o.long === "--database")) continue;
  command.addOption(new Option("--database <url>", "PostgreSQL (postgresql://user@host:5432/db) for knowledge and state instead of local files (else the config file's database, else env LLAMADESK_DATABASE_URL)"));
  command.addOption(new Option("--knowledge <name>", "the knowledge base in that database (else the config file's knowledge, else env LLAMADESK_KNOWLEDGE, else default)"));
}
// Every command that embeds (those with --embedder, and the demo) can spread embedding over worker threads.
for (const command of program.commands) {
  if (!command.options.some((o) => o.long === "--embedder") && command.name() !== "demo") continue;
  command.addOption(
    new Option("--embed-workers <n>", "worker threads that embed with use-lite, one model each (else the config file's embedWorkers, else env LLAMADESK_EMBED_WORKERS, else one per core; 1: in the main thread)").argParser(
      parseWholeNumber("--embed-workers"),
    ),
  );
}
throwUsageErrors(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode; // help or the version, already printed
  } else if (error instanceof LlamadeskError) {
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
