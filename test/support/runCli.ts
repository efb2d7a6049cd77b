import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built bin: CLI tests run exactly what a user runs (`npm test` builds first). */
export const CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
}

/** Runs the CLI to completion; `input` is written to its stdin, which is then closed. */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A CLI process still running, for tests of what it does while something else happens. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when it exits. */
  readonly done: Promise<CliResult>;
  /** Resolves once its stderr contains `text`; rejects if it exits first. */
  stderrIncludes(text: string): Promise<void>;
}

export function startCli(args: string[], options: CliRunOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, LLAMADESK_INDEX: "", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  child.stdin.end(options.input ?? "");
  const stderrIncludes = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes(text)) return;
        child.stderr.off("data", check);
        resolve();
      };
      child.stderr.on("data", check);
      check();
      void done.then((result) => reject(new Error(`exited (${result.code}) before printing ${JSON.stringify(text)}; stderr:\n${result.stderr}`)));
    });
  return { child, pid: child.pid!, done, stderrIncludes };
}
