import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { CLI, runCli } from "../support/runCli.js";
import { startModelServer, type ModelServer } from "../support/startModelServer.js";

// `llamadesk pull` end to end through the built bin, against a local server serving a generated GGUF.
describe("llamadesk pull (built bin, local server)", () => {
  let work: string;
  let model: Buffer;
  let server: ModelServer;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-pull-"));
    model = await readFile(await writeTinyLlamaGguf({ path: join(work, "source", "tiny.gguf") }));
    server = await startModelServer();
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async (context) => {
    dir = join(work, context.task.name.replace(/\W+/g, "-").slice(0, 40));
    server.mode = "serve";
    server.requests.length = 0;
  });

  const rangedGets = () => server.requests.filter((r) => r.method === "GET" && r.range);
  const parseRange = (range: string) => {
    const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(range)!;
    return { start: Number(start), end: Number(end) };
  };

  it("downloads a byte-identical, readable GGUF with progress on stderr; a second pull finds it already there", async () => {
    server.setFile("/models/tiny-chat.Q4_0.gguf", model);
    const uri = `${server.origin}/models/tiny-chat.Q4_0.gguf`;

    const first = await runCli(["pull", uri, "--dir", dir, "--json"]);
    expect(first.stderr).not.toContain("error");
    expect(first.code).toBe(0);
    const path = join(dir, "tiny-chat.Q4_0.gguf");
    expect(JSON.parse(first.stdout)).toEqual({ path, bytes: model.length, alreadyPresent: false });
    expect((await readFile(path)).equals(model)).toBe(true);
    expect(await readdir(dir)).toEqual(["tiny-chat.Q4_0.gguf"]); // no partial file left behind
    expect((await readGgufFileInfo(path, { logWarnings: false })).metadata.general.architecture).toBe("llama");
    expect(first.stderr).toMatch(/Downloading: [\d.]+\/17\.4 MB \([\d.-]+ MB\/s\)/);
    expect(first.stderr).toContain("Downloading: 17.4/17.4 MB");

    server.requests.length = 0;
    const again = await runCli(["pull", uri, "--dir", dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Already downloaded: ${path} (17.4 MB).`);
    expect(again.stdout).toContain(`llamadesk ask --model ${path} `);
    expect(again.stdout).toContain(`export LLAMADESK_MODEL=${path}\n`);
    expect(rangedGets()).toEqual([]); // nothing transferred
    const json = await runCli(["pull", uri, "--dir", dir, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ path, bytes: model.length, alreadyPresent: true });
  });

  it("without a URI pulls the default Llama 2 7B Chat file from the Hugging Face endpoint into ./models", async () => {
    server.setFile("/TheBloke/Llama-2-7B-Chat-GGUF/resolve/main/llama-2-7b-chat.Q4_K_M.gguf", model);
    await mkdir(dir, { recursive: true });
    const env = { HF_ENDPOINT: `${server.origin}/`, MODEL_ENDPOINT: "", LLAMADESK_MODELS_DIR: "" };

    const { code, stdout, stderr } = await runCli(["pull", "--json"], { cwd: dir, env });
    expect(stderr).not.toContain("error");
    expect(code).toBe(0);
    const path = join(dir, "models", "hf_TheBloke_llama-2-7b-chat.Q4_K_M.gguf");
    expect(JSON.parse(stdout)).toEqual({ path, bytes: model.length, alreadyPresent: false });
    expect((await readFile(path)).equals(model)).toBe(true);

    const elsewhere = await runCli(["pull", "--json"], { cwd: dir, env: { ...env, LLAMADESK_MODELS_DIR: "elsewhere" } });
    expect(JSON.parse(elsewhere.stdout).path).toBe(join(dir, "elsewhere", "hf_TheBloke_llama-2-7b-chat.Q4_K_M.gguf"));
  });

  it("resumes an interrupted pull: the rerun asks only for the ranges that had not arrived", async () => {
    server.setFile("/resume.gguf", model);
    const uri = `${server.origin}/resume.gguf`;

    server.mode = "cutThenHang";
    const interrupted = await runCli(["pull", uri, "--dir", dir, "--stall-timeout", "1"]);
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toMatch(/error \[MODEL_DOWNLOAD_FAILED\]: .*stopped at [\d.]+ MB of 17\.4 MB .*run the same command again to resume/);
    expect(interrupted.stderr).not.toMatch(/\n\s+at /);
    const served = rangedGets().find((r) => r.range!.startsWith("bytes=0-"));
    expect(served).toBeDefined(); // the first part arrived whole before the cut
    const arrived = parseRange(served!.range!).end + 1;
    expect(existsSync(join(dir, "resume.gguf"))).toBe(false); // nothing that looks complete
    expect((await readdir(dir)).length).toBe(1); // the partial file, kept for the rerun

    server.mode = "serve";
    server.requests.length = 0;
    const resumed = await runCli(["pull", uri, "--dir", dir, "--json"]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ path: join(dir, "resume.gguf"), bytes: model.length, alreadyPresent: false });
    expect((await readFile(join(dir, "resume.gguf"))).equals(model)).toBe(true);
    // Every request starts past what arrived the first time, and together they reach the end
    // (they overlap: the downloader splits the rest between parallel streams).
    const ranges = rangedGets().map((r) => parseRange(r.range!));
    expect(ranges.length).toBeGreaterThan(0);
    expect(Math.min(...ranges.map((r) => r.start))).toBe(arrived);
    expect(Math.max(...ranges.map((r) => r.end))).toBe(model.length - 1);
    expect(await readdir(dir)).toEqual(["resume.gguf"]);
  });

  it("fails fast, with the coded error and no stack trace, when nothing listens on the port", async () => {
    const port = await freePort();
    const { code, stderr } = await runCli(["pull", `http://127.0.0.1:${port}/m.gguf`, "--dir", dir]);
    expect(code).toBe(1);
    // Refused, said at once: not a wait for the connect timeout ("no answer within ...").
    expect(stderr).toMatch(/^error \[MODEL_SOURCE_UNREACHABLE\]: Cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(stderr).toContain("pass --model PATH or set LLAMADESK_MODEL=PATH");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(dir)).toBe(false); // gave up before creating anything
  });

  it("gives up on a server that accepts connections but never answers, after --timeout", async () => {
    const silent = await startModelServer();
    silent.mode = "hang";
    try {
      const started = performance.now();
      const { code, stderr } = await runCli(["pull", `${silent.origin}/m.gguf`, "--dir", dir, "--timeout", "0.5"]);
      // It waited the 0.5 s (at least), and the message names that timeout, not the default one.
      expect(performance.now() - started).toBeGreaterThanOrEqual(500);
      expect(code).toBe(1);
      expect(stderr).toMatch(/\[MODEL_SOURCE_UNREACHABLE\]: Cannot reach .* \(no answer within 0\.5 s\): this machine seems to have no internet access/);
      expect(silent.requests.length).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("deletes a download that is not a GGUF and says so", async () => {
    server.setFile("/page.gguf", Buffer.from("<!doctype html><title>Sign in</title>".repeat(100_000)));
    const { code, stderr } = await runCli(["pull", `${server.origin}/page.gguf`, "--dir", dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error \[MODEL_NOT_GGUF\]: .*page\.gguf is not a GGUF model \(.+\); the download was deleted\./);
    expect(await readdir(dir)).toEqual([]);
  });

  it("names a missing file, a bad URI and a bad timeout", async () => {
    const missing = await runCli(["pull", `${server.origin}/nope.gguf`, "--dir", dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\[MODEL_DOWNLOAD_FAILED\]: .*nope\.gguf was not found \(HTTP 404\)/);

    const badUri = await runCli(["pull", "./local.gguf"]);
    expect(badUri.code).toBe(1);
    expect(badUri.stderr).toMatch(/\[INVALID_OPTION\]: "\.\/local\.gguf" is not a model URI.*pass --model PATH/);

    const badTimeout = await runCli(["pull", "--timeout", "soon"]);
    expect(badTimeout.code).not.toBe(0);
    expect(badTimeout.stderr).toContain('--timeout must be a positive number of seconds (got "soon")');
  });
});

/** A port nothing listens on: bind one, note it, close it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
