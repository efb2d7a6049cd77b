import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bot } from "../../../src/bot.js";
import { createWebApp } from "../../../src/channels/web/createWebApp.js";
import { parseWebConfig, type WebConfigInput } from "../../../src/channels/web/webConfig.js";
import type { WebState } from "../../../src/channels/web/WebState.js";
import type { Postgres } from "../../../src/postgres/Postgres.js";
import { PostgresWebState } from "../../../src/postgres/PostgresWebState.js";
import { MemoryHandoffTicketStore } from "../../../src/store/MemoryHandoffTicketStore.js";
import { RESET_ANSWER, RESET_QUESTION, replicaBot } from "../../support/postgres/replicaBot.js";
import { useTestDatabase } from "../../support/postgres/testDatabase.js";

// Two web apps as two replicas behind a load balancer: each with a pool and a bot of its own on one database.
const database = useTestDatabase();
let pools: Postgres[];
beforeAll(async () => {
  const db = await database.database();
  pools = [await db.open(), await db.open()];
});

const bots: Bot[] = [];
afterAll(async () => {
  for (const bot of bots) await bot.dispose();
});

type Request = (path: string, init?: RequestInit, ip?: string) => Promise<Response>;

/** Replicas A and B of one bot (knowledge base), with the web state each gets from `state(pool, knowledge)`. */
async function replicas(config: WebConfigInput, state: (postgres: Postgres, knowledge: string) => WebState | undefined): Promise<[Request, Request]> {
  const knowledge = database.knowledge();
  const apps = await Promise.all(
    pools.map(async (postgres) => {
      const bot = await replicaBot(postgres, knowledge);
      bots.push(bot);
      const given = state(postgres, knowledge);
      const web = createWebApp({ bot, tickets: new MemoryHandoffTicketStore(), config: parseWebConfig(config), log: () => undefined, ...(given ? { state: given } : {}) });
      const request: Request = (path, init = {}, ip = "10.0.0.1") => web.app.request(path, init, { incoming: { socket: { remoteAddress: ip } } } as never);
      return request;
    }),
  );
  return [apps[0]!, apps[1]!];
}

const shared = (postgres: Postgres, knowledge: string) => new PostgresWebState({ postgres, knowledge });
const start = async (request: Request, ip?: string) => ((await (await request("/api/conversations", { method: "POST" }, ip)).json()) as { id: string }).id;
const ask = (request: Request, id: string, text: string) =>
  request(`/api/conversations/${id}/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) });

describe("web apps sharing a PostgresWebState (replicas)", () => {
  it("know each other's issued conversation ids, before the first question", async () => {
    const [a, b] = await replicas({}, shared);
    const id = await start(a);
    expect(await (await b(`/api/conversations/${id}`)).json()).toEqual({ id, turns: [] });
    const answer = await ask(b, id, RESET_QUESTION);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain(RESET_ANSWER);
    const history = (await (await a(`/api/conversations/${id}`)).json()) as { turns: { role: string; text: string }[] };
    expect(history.turns.map((t) => t.role)).toEqual(["user", "assistant"]);
  });

  it("hold one per-address budget across replicas", async () => {
    const [a, b] = await replicas({ rateLimit: { perIp: { requests: 3, windowSeconds: 3600 } } }, shared);
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await (i % 2 ? b : a)("/api/conversations", { method: "POST" }, "10.9.9.9")).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    expect((await b("/api/conversations", { method: "POST" }, "10.9.9.10")).status).toBe(201); // another address has its own
  });

  it("hold one per-conversation budget across replicas", async () => {
    const [a, b] = await replicas({ rateLimit: { perConversation: { requests: 1, windowSeconds: 3600 } } }, shared);
    const id = await start(a);
    const first = await ask(a, id, RESET_QUESTION);
    expect(first.status).toBe(200);
    await first.text();
    const again = await ask(b, id, RESET_QUESTION);
    expect(again.status).toBe(429);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
  });

  it("while apps on the default in-memory state do not: an id issued by one is unknown to the other", async () => {
    const [a, b] = await replicas({}, () => undefined);
    const id = await start(a);
    expect((await a(`/api/conversations/${id}`)).status).toBe(200);
    expect((await b(`/api/conversations/${id}`)).status).toBe(404);
  });
});
