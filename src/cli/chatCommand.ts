import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { createLocalBot } from "../presets/createLocalBot.js";
import { localBotOptions, type BotCliOptions } from "./askCommand.js";
import { collectAnswer, formatSources, type AnswerSummary } from "./collectAnswer.js";

const HELP = "Type a question. /sources shows the last answer's sources, /reset starts a new conversation, /quit (or Ctrl-D) leaves. Ctrl-C stops an answer.";

/** `llamadesk chat`: a conversation in the terminal, with memory, streaming, /sources and /reset. */
export async function chatCommand(options: BotCliOptions): Promise<number> {
  const bot = await createLocalBot(localBotOptions(options));
  const out = (s: string) => process.stdout.write(s);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  let conversationId = `cli-${randomUUID()}`;
  let last: AnswerSummary | undefined;
  let answering: AbortController | undefined;
  // Ctrl-C stops the answer being written; at the prompt it leaves.
  rl.on("SIGINT", () => (answering ? answering.abort() : rl.close()));
  out(`${HELP}\n`);
  const prompt = () => out(process.stdin.isTTY ? "\nyou> " : "");
  prompt();
  try {
    for await (const line of rl) {
      const text = line.trim();
      if (text === "") {
        prompt();
        continue;
      }
      if (text === "/quit" || text === "/exit") break;
      if (text === "/help") out(`${HELP}\n`);
      else if (text === "/reset") {
        conversationId = `cli-${randomUUID()}`;
        last = undefined;
        out("(new conversation)\n");
      } else if (text === "/sources") out(last ? formatSources(last) || "(no sources)\n" : "(no answer yet)\n");
      else if (text.startsWith("/")) out(`Unknown command ${text}. ${HELP}\n`);
      else {
        answering = new AbortController();
        out("bot> ");
        last = await collectAnswer(bot.ask({ conversationId, text, channel: "cli", signal: answering.signal }), {
          onText: out,
          onNotice: (message) => process.stderr.write(`note: ${message}\n`),
        });
        answering = undefined;
        out("\n");
        if (last.error) process.stderr.write(last.error.code === "ABORTED" ? "(stopped)\n" : `error [${last.error.code}]: ${last.error.message}\n`);
        else if (last.sources.length > 0) out(`(${sourceCount(last)}: /sources)\n`);
      }
      prompt();
    }
  } finally {
    rl.close();
    await bot.dispose();
  }
  return 0;
}

/** "2 sources" under an answer; "3 closest matches" under an abstention: they are not the sources of an answer. */
function sourceCount(summary: AnswerSummary): string {
  const n = summary.sources.length;
  return summary.abstained ? `${n} closest match${n === 1 ? "" : "es"}` : `${n} source${n === 1 ? "" : "s"}`;
}
