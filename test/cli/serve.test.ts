import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../src/config.js";
import { SqliteHandoffTicketStore } from "../../src/store/SqliteHandoffTicketStore.js";
import { CLI, runCli } from "../support/runCli.js";

/** `llamadesk serve` running in the background: resolves once it prints where it listens. */
function serve(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { cwd: options.cwd, env: { ...process.env, LLAMADESK_INDEX: "", PORT: "", ...options.env } });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /serving on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url, output: () => output, exited });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${output}`)));
  });
}

/** A POST with any headers (`Host` too, which fetch does not let a caller set). */
function post(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("llamadesk serve (built bin)", () => {
  let work: string;
  let indexDir: string;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    work = await mkdtemp(join(tmpdir(), "llamadesk-serve-"));
    indexDir = join(work, "knowledge", "index");
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"], { cwd: work });
    expect(ingest.code, ingest.stderr).toBe(0);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("serves the API, the widget and the demo page from the config file's web section, and stops on SIGTERM", async () => {
    await writeFile(join(work, "llamadesk.config.json"), JSON.stringify({ web: { origins: ["https://shop.example.com"], rateLimit: { perIp: { requests: 100, windowSeconds: 60 } } } }));
    const server = await serve(["--port", "0", "--index", indexDir], { cwd: work });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.output()).toContain(`<script src="${server.url}/widget.js" data-llamadesk-url="${server.url}" async></script>`);
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, model: null });
      const widget = await fetch(`${server.url}/widget.js`);
      expect(widget.status).toBe(200);
      expect((await widget.text()).length).toBeGreaterThan(10_000);
      expect(await (await fetch(`${server.url}/`)).text()).toContain("/widget.js");

      const headers = { "Content-Type": "application/json", Origin: "https://shop.example.com" };
      const { id } = (await (await fetch(`${server.url}/api/conversations`, { method: "POST", headers })).json()) as { id: string };
      const answer = await (await fetch(`${server.url}/api/conversations/${id}/messages`, { method: "POST", headers, body: JSON.stringify({ text: "Is my data encrypted?" }) })).text();
      expect(answer).toContain("event: done");
      expect(answer).toContain('"mode":"extractive"'); // no model configured
      const refused = await fetch(`${server.url}/api/conversations`, { method: "POST", headers: { Origin: "https://elsewhere.example" } });
      expect(refused.status).toBe(403);
      const ticket = await fetch(`${server.url}/api/conversations/${id}/handoff`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Ada", email: "ada@example.com", message: "Please call me." }),
      });
      expect(ticket.status).toBe(201);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("stopping");
    expect(server.output()).not.toMatch(/\n\s+at /);
    // Tickets live beside the conversation store (knowledge/ here).
    const tickets = await SqliteHandoffTicketStore.open({ path: join(work, "knowledge", "handoff-tickets.sqlite") });
    expect((await tickets.list()).map((t) => t.email)).toEqual(["ada@example.com"]);
    await tickets.dispose();
  });

  it("out of the box the demo page's own requests pass and a rebound name is refused; product, greeting and publicUrl come from the config", async () => {
    await writeFile(join(work, "llamadesk.config.json"), "{}");
    const plain = await serve(["--port", "0", "--index", indexDir], { cwd: work });
    try {
      const port = new URL(plain.url).port;
      const page = await (await fetch(`${plain.url}/`)).text();
      expect(page).toContain("<strong>Your product</strong>");
      expect((await fetch(`${plain.url}/favicon.ico`)).status).toBe(200);
      // What the demo page's widget sends: a POST from the page's own origin, as the browser opened it.
      for (const origin of [plain.url, `http://localhost:${port}`]) {
        expect((await post(`${plain.url}/api/conversations`, { Origin: origin })).status, origin).toBe(201);
      }
      const rebound = await post(`${plain.url}/api/conversations`, { Origin: `http://evil.example:${port}`, Host: `evil.example:${port}` });
      expect(rebound.status).toBe(403);
      expect(rebound.body).toContain("ORIGIN_NOT_ALLOWED");
    } finally {
      plain.child.kill("SIGTERM");
    }
    expect(await plain.exited).toBe(0);

    await writeFile(
      join(work, "llamadesk.config.json"),
      JSON.stringify({ policy: { product: "Acme Cloud" }, web: { publicUrl: "https://support.acme.example/", strings: { greeting: "Hello from Acme!" } } }),
    );
    const configured = await serve(["--port", "0", "--index", indexDir], { cwd: work });
    try {
      expect(configured.output()).toContain('<script src="https://support.acme.example/widget.js" data-llamadesk-url="https://support.acme.example" async></script>');
      const page = await (await fetch(`${configured.url}/`)).text();
      expect(page).toContain("<title>Acme Cloud (llamadesk demo)</title>");
      expect(page).toContain("Hello from Acme!");
      expect(page).toContain("Acme Cloud support");
      expect((await post(`${configured.url}/api/conversations`, { Origin: "https://support.acme.example" })).status).toBe(201);
      expect((await post(`${configured.url}/api/conversations`, { Origin: "http://support.acme.example" })).status).toBe(403);
      expect((await post(`${configured.url}/api/conversations`, { Origin: configured.url })).status).toBe(201); // still its own page
    } finally {
      configured.child.kill("SIGTERM");
    }
    expect(await configured.exited).toBe(0);
  });

  it("listens on PORT when neither --port nor web.port says otherwise", async () => {
    await writeFile(join(work, "llamadesk.config.json"), "{}");
    const port = await freePort();
    const server = await serve(["--index", indexDir], { cwd: work, env: { PORT: String(port) } });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      server.child.kill("SIGINT");
    }
    expect(await server.exited).toBe(0);
  });

  it("stops with a coded error naming the field for a bad web section, a missing key variable or a bad --port", async () => {
    await writeFile(join(work, "llamadesk.config.json"), JSON.stringify({ web: { origins: ["shop.example.com"] } }));
    const badOrigin = await runCli(["serve", "--port", "0", "--index", indexDir], { cwd: work });
    expect(badOrigin.code).toBe(1);
    expect(badOrigin.stderr).toContain(`error [CHANNEL_CONFIG_INVALID]: ${join(work, "llamadesk.config.json")}: web.origins.0: must be an origin such as "https://shop.example.com"`);
    expect(badOrigin.stderr).not.toMatch(/\n\s+at /);

    await writeFile(join(work, "llamadesk.config.json"), JSON.stringify({ web: { apiKeyEnv: "SUPPORT_API_KEY_UNSET" } }));
    const noKey = await runCli(["serve", "--port", "0", "--index", indexDir], { cwd: work });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("error [CHANNEL_CONFIG_INVALID]: web.apiKeyEnv names SUPPORT_API_KEY_UNSET, which is not set");

    await writeFile(join(work, "llamadesk.config.json"), "{}");
    const badPort = await runCli(["serve", "--port", "http", "--index", indexDir], { cwd: work });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('--port must be a port number from 0 to 65535 (got "http")');
  });
});
