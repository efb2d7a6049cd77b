import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bot } from "../../../src/bot.js";
import { createWebApp, type WebAppOptions } from "../../../src/channels/web/createWebApp.js";
import { parseWebConfig, type WebConfigInput } from "../../../src/channels/web/webConfig.js";
import { WebChannel } from "../../../src/channels/web/WebChannel.js";
import { MemoryHandoffTicketStore } from "../../../src/store/MemoryHandoffTicketStore.js";
import { SqliteHandoffTicketStore } from "../../../src/store/SqliteHandoffTicketStore.js";
import { startLocalBot, type LocalBot } from "../../support/localBot.js";

const QUESTION = "How do I stop Tidepool from using all my bandwidth?";
const ANSWER = "Set an upload limit under **Preferences → Network** [1].";
/** A question the fake answers slowly: 600 words at 50 ms each, half a minute unless cancelled. */
const SLOW = "Tell me everything about bandwidth limits in Tidepool, slowly";

let local: LocalBot;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llamadesk-web-"));
  local = await startLocalBot({
    model: "fake",
    fake: {
      delayMs: 50,
      answers: (messages) => (messages.at(-1)!.content.includes("slowly") ? Array.from({ length: 600 }, (_, i) => `word${i}`).join(" ") : ANSWER),
    },
    policy: { product: "Tidepool", mode: "generative", generation: { maxTokens: 1000 } },
  });
}, 120_000);
afterAll(async () => {
  await local?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** An app on the shared bot, with its own limits and tickets; `ip` picks the client address app.request() reports. */
function makeApp(config: WebConfigInput = {}, extra: Partial<WebAppOptions> = {}) {
  const tickets = new MemoryHandoffTicketStore();
  const logs: string[] = [];
  const web = createWebApp({ bot: local.bot, tickets, config: parseWebConfig(config), log: (l) => logs.push(l), ...extra });
  const request = (path: string, init: RequestInit = {}, ip = "10.0.0.1") => web.app.request(path, init, { incoming: { socket: { remoteAddress: ip } } } as never);
  return { web, tickets, logs, request };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // never a stack trace
  return body.error;
}

/** Reads a whole SSE body into events. */
async function readEvents(response: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("event:"))
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) as Record<string, unknown> };
    });
}

describe("the HTTP API (app.request)", () => {
  it("issues unguessable web conversation ids and 404s any other id", async () => {
    const { request } = makeApp();
    const ids = await Promise.all([1, 2].map(async () => ((await (await request("/api/conversations", { method: "POST" })).json()) as { id: string }).id));
    for (const id of ids) expect(id).toMatch(/^web-[A-Za-z0-9_-]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(await (await request(`/api/conversations/${ids[0]}`)).json()).toEqual({ id: ids[0], turns: [] });
    for (const id of [`web-${"A".repeat(32)}`, "slack-C123-1700000000.000100", "web-short"]) {
      const response = await request(`/api/conversations/${id}`);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("CONVERSATION_NOT_FOUND");
      const ask = await request(`/api/conversations/${id}/messages`, json({ text: QUESTION }));
      expect(ask.status).toBe(404);
    }
  });

  it("streams the answer as Server-Sent Events, stores it, and gives the history with sources", async () => {
    const { request } = makeApp();
    const { id } = (await (await request("/api/conversations", { method: "POST" })).json()) as { id: string };
    const response = await request(`/api/conversations/${id}/messages`, json({ text: QUESTION }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = await readEvents(response);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("sources");
    expect(types.at(-1)).toBe("done");
    expect(types.filter((t) => t === "token").length).toBeGreaterThan(3);
    expect(events.filter((e) => e.event === "token").map((e) => e.data.text).join("")).toBe(ANSWER);
    const done = events.at(-1)!.data as { answer: string; turnId: string; sources: { n: number; title: string; where?: string }[] };
    expect(done.answer).toBe(ANSWER);
    expect(done.sources[0]).toMatchObject({ n: 1, where: expect.stringMatching(/\.(md|json|csv):\d+$/) });
    expect(JSON.stringify(events)).not.toContain("chunkId"); // only what the widget shows
    const history = (await (await request(`/api/conversations/${id}`)).json()) as { turns: { id: string; role: string; text: string; sources: unknown[] }[] };
    expect(history.turns.map((t) => [t.role, t.text])).toEqual([
      ["user", QUESTION],
      ["assistant", ANSWER],
    ]);
    expect(history.turns[1]!.id).toBe(done.turnId);
    expect(history.turns[1]!.sources.length).toBeGreaterThan(0);
  });

  it("stores 👍/👎 per visitor (a second vote replaces the first) and refuses turns of other conversations", async () => {
    const { request } = makeApp();
    const start = async () => ((await (await request("/api/conversations", { method: "POST" })).json()) as { id: string }).id;
    const [mine, theirs] = [await start(), await start()];
    const done = (await readEvents(await request(`/api/conversations/${mine}/messages`, json({ text: QUESTION })))).at(-1)!.data as { turnId: string };
    const up = await request(`/api/conversations/${mine}/feedback`, json({ turnId: done.turnId, vote: "up", comment: "clear" }));
    expect(await up.json()).toEqual({ turnId: done.turnId, vote: "up", counts: { up: 1, down: 0 } });
    await request(`/api/conversations/${mine}/feedback`, json({ turnId: done.turnId, vote: "down" }));
    expect(await local.store.feedback(done.turnId)).toEqual({ up: 0, down: 1 });
    const stolen = await request(`/api/conversations/${theirs}/feedback`, json({ turnId: done.turnId, vote: "up" }));
    expect(stolen.status).toBe(404);
    expect((await errorOf(stolen)).code).toBe("TURN_NOT_FOUND");
    const badVote = await request(`/api/conversations/${mine}/feedback`, json({ turnId: done.turnId, vote: "meh" }));
    expect(badVote.status).toBe(400);
    expect((await errorOf(badVote)).message).toContain('vote: vote must be "up" or "down"');
    expect(await local.store.feedback(done.turnId)).toEqual({ up: 0, down: 1 });
  });

  it("answers malformed JSON, wrong shapes and wrong content types with 4xx and the reason", async () => {
    const { request } = makeApp({ maxMessageChars: 50 });
    const { id } = (await (await request("/api/conversations", { method: "POST" })).json()) as { id: string };
    const url = `/api/conversations/${id}/messages`;
    const cases: [RequestInit, number, RegExp][] = [
      [{ method: "POST", headers: { "Content-Type": "application/json" }, body: '{"text": "hi"' }, 400, /not valid JSON/],
      [{ method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"text":"hi"}' }, 415, /Content-Type: application\/json/],
      [json({ text: "x".repeat(51) }), 400, /text: text must be at most 50 characters/],
      [json({ text: "   " }), 400, /text: text must not be empty/],
      [json({}), 400, /text: text is required/],
      [json({ text: "hi", admin: true }), 400, /unknown field "admin"/],
      [json(["text"]), 400, /Invalid request body/],
    ];
    for (const [init, status, reason] of cases) {
      const response = await request(url, init);
      expect(response.status, String(init.body)).toBe(status);
      const error = await errorOf(response);
      expect(error.code).toBe("REQUEST_INVALID");
      expect(error.message).toMatch(reason);
    }
    expect(await local.bot.history(id)).toEqual([]); // nothing reached the bot
  });

  it("refuses bodies over the limit with 413, by Content-Length and by streamed size", async () => {
    const { request } = makeApp({ maxBodyBytes: 1024 });
    const { id } = (await (await request("/api/conversations", { method: "POST" })).json()) as { id: string };
    const big = await request(`/api/conversations/${id}/messages`, json({ text: "x".repeat(2000) }));
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toEqual({ code: "REQUEST_TOO_LARGE", message: "The body is larger than 1024 bytes (web.maxBodyBytes)." });
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode("x".repeat(256)));
        c.close();
      },
    });
    const streamed = await request(`/api/conversations/${id}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("allows listed origins and the server's own pages, and refuses others before they reach the bot", async () => {
    const { request } = makeApp({ origins: ["https://shop.example.com"] });
    const preflight = (origin: string) =>
      request("/api/conversations", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" } });
    const allowed = await preflight("https://shop.example.com");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(allowed.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(allowed.headers.get("access-control-allow-headers")).toBe("Content-Type,Authorization");
    const refused = await preflight("https://evil.example.net");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect((await errorOf(refused)).code).toBe("ORIGIN_NOT_ALLOWED");

    const post = await request("/api/conversations", { method: "POST", headers: { Origin: "https://evil.example.net" } });
    expect(post.status).toBe(403);
    const fromShop = await request("/api/conversations", { method: "POST", headers: { Origin: "https://shop.example.com" } });
    expect(fromShop.status).toBe(201);
    expect(fromShop.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(fromShop.headers.get("vary")).toContain("Origin");
    // A Host header naming the page's host proves nothing: a page on a name the attacker points at this server (DNS rebinding) sends one.
    const rebound = await request("http://evil.example:1234/api/conversations", { method: "POST", headers: { Origin: "http://evil.example:1234", Host: "evil.example:1234" } });
    expect(rebound.status).toBe(403);
    expect(rebound.headers.get("access-control-allow-origin")).toBeNull();
    // No Origin at all: not a browser page (curl, a backend).
    expect((await request("/api/conversations", { method: "POST" })).status).toBe(201);
    // Look-alikes are not the listed origin.
    for (const origin of ["https://shop.example.com.evil.net", "http://shop.example.com", "https://shop.example.com:8443", "null"]) {
      expect((await request("/api/conversations", { method: "POST", headers: { Origin: origin } })).status, origin).toBe(403);
    }
  });

  it("allows pages at web.publicUrl (scheme, host and port), not the same host over another scheme", async () => {
    const { request } = makeApp({ publicUrl: "https://support.example.com/help/" });
    const start = (origin: string) => request("/api/conversations", { method: "POST", headers: { Origin: origin } });
    const own = await start("https://support.example.com");
    expect(own.status).toBe(201);
    expect(own.headers.get("access-control-allow-origin")).toBe("https://support.example.com");
    for (const origin of ["http://support.example.com", "https://support.example.com:8443", "https://www.support.example.com"]) {
      const refused = await start(origin);
      expect(refused.status, origin).toBe(403);
      expect(await errorOf(refused)).toEqual({ code: "ORIGIN_NOT_ALLOWED", message: `Pages at ${origin} may not use this API: add the origin to web.origins in the server's config.` });
    }
  });

  it("limits requests per address with 429 and Retry-After, refilling over the window", async () => {
    let now = 1_000_000;
    const { request } = makeApp({ origins: ["https://shop.example.com"], rateLimit: { perIp: { requests: 3, windowSeconds: 30 } } }, { now: () => now });
    const start = (ip: string) => request("/api/conversations", { method: "POST", headers: { Origin: "https://shop.example.com" } }, ip);
    for (let i = 0; i < 3; i++) expect((await start("10.1.1.1")).status).toBe(201);
    const limited = await start("10.1.1.1");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("10");
    expect(limited.headers.get("access-control-allow-origin")).toBe("https://shop.example.com"); // the widget can read it
    expect(limited.headers.get("access-control-expose-headers")).toBe("Retry-After");
    expect(await errorOf(limited)).toEqual({ code: "RATE_LIMITED", message: "Too many requests from your address: try again in 10 s." });
    expect((await start("10.2.2.2")).status).toBe(201); // another address has its own budget
    now += 9_000;
    expect((await start("10.1.1.1")).status).toBe(429);
    now += 1_000;
    expect((await start("10.1.1.1")).status).toBe(201);
  });

  it("limits questions per conversation with 429 and Retry-After, without touching other conversations", async () => {
    const { request } = makeApp({ rateLimit: { perConversation: { requests: 1, windowSeconds: 60 } } });
    const start = async () => ((await (await request("/api/conversations", { method: "POST" })).json()) as { id: string }).id;
    const [a, b] = [await start(), await start()];
    const first = await request(`/api/conversations/${a}/messages`, json({ text: QUESTION }));
    expect(first.status).toBe(200);
    await first.text();
    const again = await request(`/api/conversations/${a}/messages`, json({ text: QUESTION }));
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toBe("60");
    expect((await errorOf(again)).message).toBe("Too many requests in this conversation: try again in 60 s.");
    expect((await request(`/api/conversations/${b}/messages`, json({ text: QUESTION }))).status).toBe(200);
    expect((await local.bot.history(a)).length).toBe(2); // the refused question was not asked
  });

  it("takes an API key for server-to-server use: trusted when right, 401 when wrong or required and missing", async () => {
    const { request } = makeApp({ rateLimit: { perIp: { requests: 1, windowSeconds: 60 } } }, { apiKey: "s3cret-key" });
    const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
    const wrong = await request("/api/conversations", { method: "POST", headers: bearer("guess") });
    expect(wrong.status).toBe(401);
    const error = await errorOf(wrong);
    expect(error.code).toBe("API_KEY_INVALID");
    expect(error.message).not.toContain("s3cret");
    // Trusted: from any origin, and past the per-address limit (one backend speaks for many customers).
    for (let i = 0; i < 3; i++) {
      expect((await request("/api/conversations", { method: "POST", headers: { ...bearer("s3cret-key"), Origin: "https://backend.example.org" } })).status).toBe(201);
    }
    const required = makeApp({ apiKeyEnv: "LLAMADESK_TEST_KEY", requireApiKey: true }, { apiKey: "s3cret-key" });
    expect((await required.request("/api/conversations", { method: "POST" })).status).toBe(401);
    expect((await required.request("/api/conversations", { method: "POST", headers: bearer("s3cret-key") })).status).toBe(201);
  });

  it("stores handoff tickets and POSTs each, with the transcript, to the webhook; a failing webhook is recorded", async () => {
    const received: { body: unknown; type?: string }[] = [];
    let status = 200;
    const hook = await listen((req, body) => {
      received.push({ body: JSON.parse(body), type: req.headers["content-type"] });
      return status;
    });
    try {
      const tickets = await SqliteHandoffTicketStore.open({ path: join(dir, "tickets.sqlite") });
      const { request, web } = makeApp({}, { tickets, handoffWebhook: hook.url });
      const { id } = (await (await request("/api/conversations", { method: "POST" })).json()) as { id: string };
      await (await request(`/api/conversations/${id}/messages`, json({ text: QUESTION }))).text();
      const form = { name: "Ada Lovelace", email: "ada@example.com", message: "The limit does not stick after a restart." };
      const created = await request(`/api/conversations/${id}/handoff`, json(form));
      expect(created.status).toBe(201);
      const { ticketId } = (await created.json()) as { ticketId: string };
      await web.settled();
      expect(await tickets.get(ticketId)).toMatchObject({ ...form, conversationId: id, webhook: "sent" });
      expect(received).toHaveLength(1);
      expect(received[0]!.type).toBe("application/json");
      expect(received[0]!.body).toMatchObject({
        type: "llamadesk.handoff",
        ticket: { id: ticketId, ...form },
        transcript: [
          { role: "user", text: QUESTION },
          { role: "assistant", text: ANSWER },
        ],
      });

      status = 500;
      const second = (await (await request(`/api/conversations/${id}/handoff`, json(form))).json()) as { ticketId: string };
      await web.settled();
      expect(await tickets.get(second.ticketId)).toMatchObject({ webhook: "failed", webhookError: "the webhook answered HTTP 500" });

      const bad = await request(`/api/conversations/${id}/handoff`, json({ ...form, email: "not-an-address" }));
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).message).toContain("email: email must be an email address");
      expect(await tickets.list({ conversationId: id })).toHaveLength(2);
      await tickets.dispose();
    } finally {
      await hook.close();
    }
  });

  it("stopping lets an answer being streamed finish within the grace period, and refuses new messages with 503", async () => {
    const { request, web } = makeApp();
    const { id } = (await (await request("/api/conversations", { method: "POST" })).json()) as { id: string };
    const response = await request(`/api/conversations/${id}/messages`, json({ text: QUESTION }));
    const reader = response.body!.getReader();
    let seen = "";
    while (!seen.includes("event: sources")) seen += new TextDecoder().decode((await reader.read()).value);
    // A rolling restart begins while the answer streams.
    const stopped = web.stop({ graceMs: 60_000 });
    const refused = await request(`/api/conversations/${id}/messages`, json({ text: QUESTION }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await errorOf(refused)).toMatchObject({ code: "SERVER_STOPPING" });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) seen += new TextDecoder().decode(chunk.value);
    expect(seen).toContain("event: done");
    await stopped;
    expect((await local.bot.history(id)).map((t) => t.text)).toEqual([QUESTION, ANSWER]);
  });

  it("serves /widget.js with an ETag (304 when unchanged), the demo page and /healthz; unknown routes get JSON 404s", async () => {
    const widgetFile = join(dir, "widget.js");
    await writeFile(widgetFile, "console.log('widget v1')");
    const { request } = makeApp({}, { widgetFile });
    const first = await request("/widget.js");
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await first.text()).toBe("console.log('widget v1')");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await request("/widget.js", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    await writeFile(widgetFile, "console.log('widget v2')");
    const changed = await request("/widget.js", { headers: { "If-None-Match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);

    const missing = makeApp({}, { widgetFile: join(dir, "nope.js") });
    const notBuilt = await missing.request("/widget.js");
    expect(notBuilt.status).toBe(503);
    expect((await errorOf(notBuilt)).code).toBe("WIDGET_NOT_BUILT");

    const page = await (await request("/")).text();
    expect(page).toContain('<script src="/widget.js"');
    expect(await (await request("/healthz")).json()).toEqual({ ok: true, model: "fake-chat" });
    const unknown = await request("/api/nothing-here");
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("ROUTE_NOT_FOUND");
  });

  it("names the configured product on the demo page, takes widget strings from web.strings, and serves its icon", async () => {
    const stringsOf = (page: string) => JSON.parse(/data-strings="([^"]*)"/.exec(page)![1]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))));
    const tidepool = await (await makeApp().request("/")).text();
    expect(tidepool).toContain("<title>Tidepool (llamadesk demo)</title>");
    expect(stringsOf(tidepool)).toEqual({ title: "Tidepool support", greeting: "Hi! Ask me anything about Tidepool." });

    const acme: Bot = { ...local.bot, policy: { ...local.bot.policy, product: 'Acme <b>&</b> "Co"' } };
    const page = await (await makeApp({ strings: { greeting: "Bonjour ! Une question sur </script> ?", send: "Envoyer" } }, { bot: acme }).request("/")).text();
    expect(page).toContain("<strong>Acme &#60;b&#62;&#38;&#60;/b&#62; &#34;Co&#34;</strong>");
    expect(page).not.toContain("<b>");
    expect(page).not.toContain("Tidepool");
    expect(stringsOf(page)).toEqual({ title: 'Acme <b>&</b> "Co" support', greeting: "Bonjour ! Une question sur </script> ?", send: "Envoyer" });

    const unnamed: Bot = { ...local.bot, policy: { ...local.bot.policy, product: "this product" } }; // the default
    const plain = await (await makeApp({}, { bot: unnamed }).request("/")).text();
    expect(plain).toContain("<strong>Your product</strong>");
    expect(stringsOf(plain)).toEqual({}); // the widget's own title and greeting

    expect(plain).toContain('<link rel="icon" href="/favicon.svg"');
    for (const path of ["/favicon.svg", "/favicon.ico"]) {
      const icon = await makeApp().request(path);
      expect(icon.status, path).toBe(200);
      expect(icon.headers.get("content-type")).toBe("image/svg+xml");
      expect(await icon.text()).toMatch(/^<svg /);
    }
  });

  it("turns an unexpected failure into a 500 with a code, logging the detail and sending no stack or internals", async () => {
    const broken: Bot = { ...local.bot, history: async () => Promise.reject(new Error("disk I/O error in /srv/secret/conversations.sqlite")) };
    const logs: string[] = [];
    const web = createWebApp({ bot: broken, tickets: new MemoryHandoffTicketStore(), log: (l) => logs.push(l) });
    const response = await web.app.request(`/api/conversations/web-${"B".repeat(32)}`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("secret");
    expect(text).not.toContain("disk I/O");
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL_ERROR", message: expect.stringContaining("failed") } });
    expect(logs.join("\n")).toContain("disk I/O error");
  });
});

describe("the web server (WebChannel on a real port)", () => {
  let channel: WebChannel;
  let tickets: SqliteHandoffTicketStore;
  beforeAll(async () => {
    tickets = await SqliteHandoffTicketStore.open({ path: join(dir, "server-tickets.sqlite") });
    channel = new WebChannel({ tickets, port: 0, host: "127.0.0.1", log: () => {} });
    await channel.start(local.bot);
  });
  afterAll(async () => {
    await channel?.stop();
  });

  const post = (path: string, body?: unknown, signal?: AbortSignal) =>
    fetch(`${channel.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(signal ? { signal } : {}) });

  it("a client that cancels the stream frees the model: generation stops and the next question starts at once", async () => {
    const { id } = (await (await post("/api/conversations")).json()) as { id: string };
    const controller = new AbortController();
    const response = await post(`/api/conversations/${id}/messages`, { text: SLOW }, controller.signal);
    const reader = response.body!.getReader();
    let seen = "";
    while (!seen.includes("event: token")) seen += new TextDecoder().decode((await reader.read()).value);
    const calls = local.fake!.calls.length;
    controller.abort();
    // Asks in one conversation run one after another: this one can only start once the slow one has stopped.
    const next = await post(`/api/conversations/${id}/messages`, { text: QUESTION });
    const events = await readEvents(next);
    expect(events.at(-1)!.event).toBe("done");
    // The slow answer (half a minute) was stopped, not run to its end before the next one started.
    expect(local.fake!.stopReasons[calls - 1]).toBe("abort");
    expect(local.fake!.calls.length).toBe(calls + 1);
    // The cancelled answer was never stored; the next one was.
    const history = await local.bot.history(id);
    expect(history.map((t) => t.text)).toEqual([QUESTION, ANSWER]);
  });

  it("stop() aborts answers still in progress after the grace period, closes the connections and the ticket store", async () => {
    const ticketsToStop = await SqliteHandoffTicketStore.open({ path: ":memory:" });
    const other = new WebChannel({ tickets: ticketsToStop, port: 0, log: () => {}, stopGraceMs: 200 });
    await other.start(local.bot);
    const { id } = (await (await fetch(`${other.url}/api/conversations`, { method: "POST" })).json()) as { id: string };
    const response = await fetch(`${other.url}/api/conversations/${id}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: SLOW }),
    });
    const body = response.text();
    await other.stop();
    // Stopped, not finished: the half-minute answer never got to "done".
    const text = await body.catch(() => "");
    expect(text).not.toContain("event: done");
    await expect(ticketsToStop.list()).rejects.toThrow(/disposed/);
    expect(await local.bot.history(id)).toEqual([]);
  });

  it("allows the demo page where the server listens, and refuses a rebound name carrying a matching Host", async () => {
    const port = new URL(channel.url).port;
    for (const origin of [channel.url, `http://localhost:${port}`]) {
      const own = await send(new Agent(), "POST", `${channel.url}/api/conversations`, undefined, { Origin: origin });
      expect(own.status, origin).toBe(201);
      expect(own.headers["access-control-allow-origin"]).toBe(origin);
    }
    const rebound = await send(new Agent(), "POST", `${channel.url}/api/conversations`, undefined, { Origin: `http://evil.example:${port}`, Host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe("ORIGIN_NOT_ALLOWED");
    const otherScheme = await send(new Agent(), "POST", `${channel.url}/api/conversations`, undefined, { Origin: channel.url.replace("http:", "https:") });
    expect(otherScheme.status).toBe(403);
  });

  it("answers an oversized chunked body with 413 and closes that connection, so the client's next request works", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // 2 MB sent at once, over a kept-alive connection: more than the server reads before answering.
      const chunks = Array.from({ length: 64 }, () => "x".repeat(32_768));
      const refused = await send(agent, "POST", `${channel.url}/api/conversations/web-${"C".repeat(32)}/messages`, chunks);
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.body)).toEqual({ error: { code: "REQUEST_TOO_LARGE", message: "The body is larger than 16384 bytes (web.maxBodyBytes)." } });
      const next = await send(agent, "POST", `${channel.url}/api/conversations`);
      expect(next.status).toBe(201);
      expect(JSON.parse(next.body)).toEqual({ id: expect.stringMatching(/^web-/) });
      expect(refused.headers.connection).toBe("close"); // the client knew not to reuse the connection
    } finally {
      agent.destroy();
    }
  });

  it("reports a port in use as CHANNEL_START_FAILED naming the port", async () => {
    const port = Number(new URL(channel.url).port);
    const clash = new WebChannel({ tickets: new MemoryHandoffTicketStore(), port, host: "127.0.0.1" });
    await expect(clash.start(local.bot)).rejects.toThrow(new RegExp(`Port ${port} is in use`));
  });
});

/** One request with node:http through `agent` (any headers, `Host` too); `chunks` are sent as a chunked body. */
function send(agent: Agent, method: string, url: string, chunks?: string[], extra: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...(chunks ? { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } : {}), ...extra };
    const req = request(url, { method, agent, headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    for (const chunk of chunks ?? []) req.write(chunk);
    req.end();
  });
}

/** A local HTTP server answering with the status `handle` returns; records nothing else itself. */
async function listen(handle: (req: IncomingMessage, body: string) => number): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      res.statusCode = handle(req, body);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
