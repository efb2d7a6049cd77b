import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { DiscordChannel } from "../../../src/channels/discord/DiscordChannel.js";
import { resolveDiscordConfig, type DiscordConfig } from "../../../src/channels/discord/discordConfig.js";
import { SAMPLE_SOURCES_DIR } from "../../../src/config.js";
import { PostgresLeadership } from "../../../src/postgres/PostgresLeadership.js";
import { FakeDiscord, snowflake, type FakeUser } from "../../support/fakeDiscord.js";
import { requireRealServer, useTestDatabase } from "../../support/postgres/testDatabase.js";
import { RESET_ANSWER, RESET_QUESTION, replicaBot } from "../../support/replicaBots.js";
import { runCli, startCli, type RunningCli } from "../../support/runCli.js";

// Replicas of one Discord bot (one token) on one database, against one local fake Discord: the real discord.js
// gateway protocol, and advisory locks that exclude only across real sessions (so: the real server, not PGlite).
requireRealServer();
const database = useTestDatabase();
const general = snowflake();
const alice: FakeUser = { id: snowflake(), username: "alice" };
const STANDBY = "standing by: another replica holds the Discord gateway";
const eventually = { timeout: 60_000, interval: 50 };

let fake: FakeDiscord;
let config: DiscordConfig;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  fake = await FakeDiscord.start({ channels: [{ id: general, type: 0, name: "general" }], heartbeatIntervalMs: 1000 });
  config = resolveDiscordConfig(
    { editIntervalMs: 250 },
    { env: { DISCORD_TOKEN: "fake-token", DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_CHANNELS: general, DISCORD_API_URL: fake.apiUrl } },
  );
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await fake?.close();
});

/** Gateway sessions opened so far (IDENTIFY payloads the fake received). */
const identifies = () => fake.gatewayReceived.filter((p) => p.op === 2).length;
/** The bot's finished answers in a thread: its messages with buttons. */
const answersIn = (channelId: string) => fake.messagesIn(channelId).filter((m) => m.author.id === fake.botUser.id && m.components.length > 0);
const answered = (channelId: string) => fake.waitFor(() => answersIn(channelId).length > 0 && answersIn(channelId), 60_000, `an answer in ${channelId}`);
const mention = (question: string) => fake.postMessage({ channelId: general, author: alice, content: `<@${fake.botUser.id}> ${question}` });

describe("Discord with several replicas", () => {
  test("one replica holds the gateway, the other stands by; a leader that loses its database connection leaves the gateway, and one replica leads again", async () => {
    const db = await database.database();
    const knowledge = database.knowledge();
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const { bot, postgres } = await replicaBot(db, knowledge);
        const logs: string[] = [];
        const channel = new DiscordChannel({ ...config, log: (line) => logs.push(line), leadership: new PostgresLeadership(postgres, { retryMs: 200 }) });
        cleanups.push(async () => (await channel.stop(), await bot.dispose()));
        return { bot, channel, logs };
      }),
    );
    const [one, two] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const sessionsBefore = identifies();
    await one.channel.start(one.bot);
    const twoLeads = two.channel.start(two.bot);
    twoLeads.catch(() => undefined); // if it never leads, stop() in the cleanup ends it (ABORTED)
    await vi.waitFor(() => expect(two.logs).toContain(STANDBY), eventually);
    expect(one.logs).not.toContain(STANDBY);
    expect(two.channel.discordClient).toBeUndefined();

    const first = mention(RESET_QUESTION);
    expect((await answered(first.id))[0].content).toBe(RESET_ANSWER);
    expect(identifies() - sessionsBefore).toBe(1);
    expect(fake.gatewayConnections).toBe(1);

    // The leader's database session ends (as when the server drops it): the lock is freed.
    const postgres = await database.postgres();
    const { rows } = await postgres.query<{ pid: number }>(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(rows).toHaveLength(1);
    await postgres.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);

    // The old leader hears of it and leaves the gateway; then one of the two leads (the one standing by, or the old
    // leader again on a new connection, whichever tries first) and the other stands by: one gateway session at a time.
    await vi.waitFor(() => expect(one.logs.some((l) => /^Lost the database connection that holds the lead.* Disconnecting from the Discord gateway\.$/.test(l))).toBe(true), eventually);
    await vi.waitFor(() => expect(identifies() - sessionsBefore).toBe(2), eventually);
    await vi.waitFor(() => expect(fake.gatewayConnections).toBe(1), eventually);
    const leading = replicas.filter((r) => r.channel.discordClient);
    expect(leading).toHaveLength(1);
    const other = replicas.find((r) => !r.channel.discordClient)!;
    await vi.waitFor(() => expect(other.logs.at(-1)).toBe(STANDBY), eventually);
    if (leading[0] === two) {
      await twoLeads;
      expect(two.logs.slice(-2)).toEqual(["taking over the Discord gateway", "connected as llamadesk in 1 server(s)"]);
    }

    const second = mention(`Once more: ${RESET_QUESTION}`);
    await answered(second.id);
    expect(answersIn(second.id)).toHaveLength(1);
  });

  test("llamadesk discord --database: two processes, one connects; SIGKILL the leader and the other takes over and answers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llamadesk-discord-replicas-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { url } = await database.database();
    const knowledge = database.knowledge();
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--database", url, "--knowledge", knowledge], { cwd: dir });
    expect(ingest.code).toBe(0);
    const env = { DISCORD_TOKEN: "fake-token", DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl, DISCORD_CHANNELS: general };
    const replica = (): RunningCli => {
      const cli = startCli(["discord", "--database", url, "--knowledge", knowledge], { cwd: dir, env });
      cleanups.push(async () => (cli.child.exitCode === null && cli.child.signalCode === null ? (cli.child.kill("SIGKILL"), cli.done) : undefined));
      return cli;
    };
    const sessionsBefore = identifies();

    const leader = replica();
    await leader.stderrIncludes("llamadesk is answering on Discord.");
    const standby = replica();
    await standby.stderrIncludes(`discord: ${STANDBY}`);
    const first = mention("How do I stop Tidepool from using all my bandwidth?");
    expect((await answered(first.id))[0].embeds[0].title).toBe("Sources");
    expect(identifies() - sessionsBefore).toBe(1);

    leader.child.kill("SIGKILL");
    await leader.done;
    await standby.stderrIncludes("discord: taking over the Discord gateway");
    await standby.stderrIncludes("llamadesk is answering on Discord.");
    expect(identifies() - sessionsBefore).toBe(2);
    const second = mention("Can I limit the upload speed?");
    await answered(second.id);
    expect(answersIn(second.id)).toHaveLength(1);

    standby.child.kill("SIGTERM");
    const result = await standby.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("SIGTERM: stopping…\nstopped.\n");
    expect(result.stderr).not.toContain("fake-token");
  }, 240_000);
});
