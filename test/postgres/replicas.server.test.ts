import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../support/runCli.js";
import { requireRealServer, useTestDatabase } from "../support/postgres/testDatabase.js";

// Two `llamadesk serve` processes (the built bin) on one database, as two replicas behind a reverse proxy
// (web.trustProxy: the proxy's X-Forwarded-For names the visitor), answering extractively (no model).
requireRealServer();
const database = useTestDatabase();

/** Budget of every address, shared by the replicas: small enough to exhaust, large enough for one visitor's few requests. */
const PER_IP = 8;

const faqFile = (entries: [question: string, answer: string][]) => entries.map(([q, a]) => `## ${q}\n\n${a}\n`).join("\n");
const BASICS = faqFile([
  ["How do I reset my password?", "On the sign-in page click Forgot password? and follow the link we email you."],
  ["How do I cancel my subscription?", "Open Billing, choose Cancel plan and confirm; you keep access until the period ends."],
  ["Which platforms does Tidepool run on?", "macOS 12 or later, Windows 10 and 11, Ubuntu 22.04 or later, iOS 16 and Android 10."],
]);
const NEW_QUESTION = "How do I turn on the tachyon relay?";
const NEW_ANSWER = "Open Settings, then Lab, and switch on Tachyon relay; it takes effect at once.";

interface Replica {
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** `llamadesk serve` in the background: resolves once it prints where it listens. */
function serve(args: string[], cwd: string): Promise<Replica> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], { cwd, env: { ...process.env, LLAMADESK_INDEX: "", LLAMADESK_DATABASE_URL: "", PORT: "" } });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      const url = /serving on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, output: () => output, stop: () => (child.kill("SIGTERM"), exited) });
    });
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${output}`)));
  });
}

let visitors = 0;
/** A visitor of its own (its own address, so its own rate budget), talking to `replica`. */
function visitor(ip = `10.0.${++visitors >> 8}.${visitors & 255}`) {
  const headers = { "Content-Type": "application/json", "X-Forwarded-For": ip };
  return {
    ip,
    start: (replica: Replica) => fetch(`${replica.url}/api/conversations`, { method: "POST", headers }),
    async id(replica: Replica): Promise<string> {
      const response = await this.start(replica);
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    },
    async history(replica: Replica, id: string): Promise<{ role: string; text: string }[]> {
      const response = await fetch(`${replica.url}/api/conversations/${id}`, { headers });
      expect(response.status).toBe(200);
      return ((await response.json()) as { turns: { role: string; text: string }[] }).turns;
    },
    /** The SSE body of an answer. */
    async ask(replica: Replica, id: string, text: string): Promise<string> {
      const response = await fetch(`${replica.url}/api/conversations/${id}/messages`, { method: "POST", headers, body: JSON.stringify({ text }) });
      expect(response.status).toBe(200);
      return response.text();
    },
  };
}

/** Polls `check` until it holds, or fails after `timeoutMs` with `what`. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("two llamadesk serve replicas on one PostgreSQL database (built bin)", () => {
  let work: string;
  let url: string;
  let a: Replica;
  let b: Replica;
  const ingest = (folder: string, ...more: string[]) => runCli(["ingest", join(work, folder), "--database", url, "--json", ...more], { cwd: work });

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first).`);
    url = (await database.database()).url;
    work = await mkdtemp(join(tmpdir(), "llamadesk-replicas-"));
    await mkdir(join(work, "basics"));
    await writeFile(join(work, "basics", "faq.md"), BASICS);
    await writeFile(
      join(work, "llamadesk.config.json"),
      JSON.stringify({ web: { trustProxy: true, rateLimit: { perIp: { requests: PER_IP, windowSeconds: 3600 } } } }),
    );
    const ingested = await ingest("basics");
    expect(ingested.code, ingested.stderr).toBe(0);
    [a, b] = await Promise.all([serve(["--database", url, "--port", "0"], work), serve(["--database", url, "--port", "0"], work)]);
  }, 180_000);

  afterAll(async () => {
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    expect(codes).toEqual([0, 0]);
    for (const replica of [a, b]) expect(replica?.output() ?? "").not.toMatch(/\n\s+at /);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("continues on replica B a conversation started on replica A, with its history", async () => {
    const maya = visitor();
    const id = await maya.id(a);
    expect(await maya.history(b, id)).toEqual([]); // B knows the id A issued, before its first question
    expect(await maya.ask(a, id, "How do I reset my password?")).toContain("Forgot password?");
    expect((await maya.history(b, id)).map((t) => t.role)).toEqual(["user", "assistant"]);
    expect(await maya.ask(b, id, "How do I cancel my subscription?")).toContain("Cancel plan");
    const turns = await maya.history(a, id);
    expect(turns.map((t) => t.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(turns.filter((t) => t.role === "user").map((t) => t.text)).toEqual(["How do I reset my password?", "How do I cancel my subscription?"]);
    expect(turns[1]!.text).toContain("Forgot password?");
  });

  it("holds one per-address budget across both replicas: of requests split between them, exactly the limit gets through", async () => {
    const crowd = visitor();
    const statuses = await Promise.all(Array.from({ length: 3 * PER_IP }, (_, i) => crowd.start(i % 2 ? b : a).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(PER_IP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * PER_IP);
    expect((await visitor().start(b)).status).toBe(201); // another address has a budget of its own
  });

  it("answers from a doc ingested while both run, on both, within seconds", async () => {
    const before = visitor();
    for (const replica of [a, b]) expect(await before.ask(replica, await before.id(replica), NEW_QUESTION)).not.toContain("switch on Tachyon relay");

    await mkdir(join(work, "lab"));
    await writeFile(join(work, "lab", "faq.md"), faqFile([[NEW_QUESTION, NEW_ANSWER]]));
    const ingested = await ingest("lab");
    expect(ingested.code, ingested.stderr).toBe(0);

    for (const [name, replica] of [["A", a], ["B", b]] as const) {
      // Each try is a new visitor, so polling never runs into the per-address limit.
      await eventually(async () => {
        const someone = visitor();
        const answer = await someone.ask(replica, await someone.id(replica), NEW_QUESTION);
        return answer.includes("event: done") && answer.includes("switch on Tachyon relay");
      }, `replica ${name} to answer from the new doc`);
    }
  });

  it("loses nothing when two ingests of different folders run at once", async () => {
    const folders = { north: ["Oslo", "Bergen", "Tromsø", "Stavanger"], south: ["Lisbon", "Porto", "Faro", "Braga"] };
    for (const [folder, cities] of Object.entries(folders)) {
      await mkdir(join(work, folder));
      await writeFile(join(work, folder, "faq.md"), faqFile(cities.map((city) => [`Is there a Tidepool office in ${city}?`, `Yes, Tidepool has an office in ${city}.`])));
    }
    const results = await Promise.all(Object.keys(folders).map((folder) => ingest(folder, "--knowledge", "offices")));
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const postgres = await database.postgres();
    const { rows } = await postgres.query<{ title: string }>("SELECT doc->>'title' AS title FROM llamadesk_docs WHERE knowledge = 'offices' ORDER BY 1");
    const expected = Object.values(folders).flat().map((city) => `Is there a Tidepool office in ${city}?`);
    expect(rows.map((r) => r.title)).toEqual([...expected].sort());
    // Each ingest's summary counted its own folder's docs; the second saw the first's.
    const counts = results.map((r) => JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { added: number; docs: number });
    expect(counts.map((c) => c.added)).toEqual([4, 4]);
    expect(counts.map((c) => c.docs).sort()).toEqual([4, 8]);
  });
});
