import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built bin: benches that drive the CLI run exactly what a user runs. */
const CLI = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

export interface RunningServe {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** `llamadesk serve` in the background, once it prints where it listens. */
export function startServe(args: string[], cwd: string): Promise<RunningServe> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { cwd, env: { ...process.env, LLAMADESK_INDEX: "", PORT: "" } });
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      output += d.toString();
      const url = /serving on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url, stop });
    });
    // The server's log (failed answers) goes to stderr: pass it on.
    child.stderr!.on("data", (d: Buffer) => process.stderr.write(d));
    void exited.then(() => reject(new Error(`llamadesk serve exited before listening:\n${output}`)));
  });
}

/** Runs the built CLI to completion; throws with its output when it fails. */
export function run(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, LLAMADESK_INDEX: "" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`llamadesk ${args[0]} failed (${code}):\n${output}`))));
  });
}
