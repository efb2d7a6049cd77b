import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { readEnv } from "../config.js";
import { finalAnswer, finalQuestion, type Candidate, type ReviewQueue } from "../mining/ReviewQueue.js";
import { formatCandidate, formatThread } from "./formatCandidate.js";

const KEYS = "a approve · q edit question · e edit answer · r reject · s skip · t show thread · x quit";

/**
 * Goes through the pending candidates one at a time. Edits open $VISUAL/$EDITOR when set, else read one
 * line (`\n` in it becomes a line break; an empty line keeps the text). End of input quits.
 */
export async function reviewInteractively(queue: ReviewQueue): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let closed = false;
  rl.on("line", (line) => (waiting.length ? waiting.shift()!(line) : lines.push(line)));
  rl.on("close", () => {
    closed = true;
    for (const w of waiting.splice(0)) w(undefined);
  });
  const ask = (prompt: string): Promise<string | undefined> => {
    out(prompt);
    if (lines.length) return Promise.resolve(lines.shift());
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.push(resolve));
  };

  const pending = await queue.list({ status: "pending" });
  const counts = { approved: 0, rejected: 0, skipped: 0 };
  out(pending.length === 0 ? "No pending candidates.\n" : `${pending.length} pending candidate${pending.length === 1 ? "" : "s"}. ${KEYS}\n`);
  try {
    outer: for (const [i, first] of pending.entries()) {
      let candidate: Candidate = first;
      out(`\n(${i + 1}/${pending.length}) ${formatCandidate(candidate)}`);
      for (;;) {
        const key = (await ask("review> "))?.trim().toLowerCase();
        if (key === undefined || key === "x" || key === "quit") break outer;
        if (key === "a") {
          candidate = await queue.approve(candidate.id);
          out(`approved ${candidate.id}\n`);
          counts.approved++;
          break;
        } else if (key === "r") {
          await queue.reject(candidate.id);
          out(`rejected ${candidate.id}\n`);
          counts.rejected++;
          break;
        } else if (key === "s" || key === "") {
          counts.skipped++;
          break;
        } else if (key === "t") {
          out(formatThread(candidate));
        } else if (key === "q" || key === "e") {
          const field = key === "q" ? "question" : "answer";
          const text = await editText(field === "question" ? finalQuestion(candidate) : finalAnswer(candidate), field, ask);
          if (text === undefined) break outer;
          if (text !== "") candidate = await queue.edit(candidate.id, { [field]: text });
          out(formatCandidate(candidate));
        } else {
          out(`${KEYS}\n`);
        }
      }
    }
  } finally {
    rl.close();
  }
  out(`\napproved ${counts.approved}, rejected ${counts.rejected}, skipped ${counts.skipped}, left pending ${pending.length - counts.approved - counts.rejected}. Approved entries reach the index on the next \`llamadesk sync\`.\n`);
  return 0;
}

/** New text for a field: from the editor when one is configured, else one typed line. "" keeps the old text; undefined is end of input. */
async function editText(current: string, field: string, ask: (prompt: string) => Promise<string | undefined>): Promise<string | undefined> {
  const editor = readEnv().editor;
  if (editor) {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-review-"));
    const file = join(dir, `${field}.txt`);
    try {
      await writeFile(file, `${current}\n`);
      const result = spawnSync(`${editor} "${file}"`, { shell: true, stdio: "inherit" });
      if (result.status !== 0) {
        process.stderr.write(`The editor (${editor}) exited with ${result.status ?? result.signal}; the ${field} is unchanged.\n`);
        return "";
      }
      const text = (await readFile(file, "utf8")).trim();
      return text === current.trim() ? "" : text;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const line = await ask(`new ${field} (one line, \\n for a line break; empty keeps it)> `);
  return line?.replace(/\\n/g, "\n").trim();
}
