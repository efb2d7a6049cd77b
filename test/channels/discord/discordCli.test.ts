import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../../src/config.js";
import { FakeDiscord, snowflake } from "../../support/fakeDiscord.js";
import { CLI, runCli } from "../../support/runCli.js";

// The built bin (`npm run build` first), against the local fake Discord.

const general = snowflake();
const guild = snowflake();
let fake: FakeDiscord;
let dir: string;

beforeAll(async () => {
  fake = await FakeDiscord.start({ channels: [{ id: general, type: 0, name: "general" }] });
  dir = await mkdtemp(join(tmpdir(), "llamadesk-discord-cli-"));
});

afterAll(async () => {
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const discordEnv = () => ({ DISCORD_TOKEN: "fake-token", DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl, DISCORD_CHANNELS: general });

describe("llamadesk discord", () => {
  test("a missing DISCORD_TOKEN stops it at once, before the index loads or anything connects", async () => {
    const calls = fake.calls.length;
    const result = await runCli(["discord", "--index", join(dir, "no-index-here")], { cwd: dir, env: { ...discordEnv(), DISCORD_TOKEN: "" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[CHANNEL_CONFIG_INVALID\]: DISCORD_TOKEN is not set/);
    expect(fake.calls.length).toBe(calls);
  });

  test("register --guild puts /ask in that server; without it, globally", async () => {
    const inGuild = await runCli(["discord", "register", "--guild", guild], { cwd: dir, env: discordEnv() });
    expect(inGuild.stderr).toBe("");
    expect(inGuild.stdout).toBe(`Registered /ask in server ${guild}: available there now.\n`);
    expect(inGuild.code).toBe(0);
    const put = fake.callsTo("PUT", new RegExp(`^/applications/${fake.applicationId}/guilds/${guild}/commands$`))[0]!;
    expect(put.body).toEqual([
      expect.objectContaining({
        name: "ask",
        description: "Ask the support bot a question",
        contexts: [0],
        options: [expect.objectContaining({ type: 3, name: "question", required: true, max_length: 1500 })],
      }),
    ]);
    const global = await runCli(["discord", "register"], { cwd: dir, env: discordEnv() });
    expect(global.code).toBe(0);
    expect(global.stdout).toMatch(/^Registered \/ask globally/);
    expect(fake.commands.get("global")!.map((c) => c.name)).toEqual(["ask"]);
  });

  test("register with a token Discord refuses, or a bad --guild, fails with a coded error", async () => {
    const refused = await runCli(["discord", "register", "--guild", guild], { cwd: dir, env: { ...discordEnv(), DISCORD_TOKEN: "wrong" } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[CHANNEL_AUTH_FAILED\]: Discord refused the bot token/);
    expect(refused.stderr).not.toContain("wrong");
    const badGuild = await runCli(["discord", "register", "--guild", "my-server"], { cwd: dir, env: discordEnv() });
    expect(badGuild.stderr).toMatch(/^error \[INVALID_OPTION\]: --guild must be a server id/);
  });

  test("runs on an ingested index, answers a mention in a thread, and stops cleanly on SIGTERM", async () => {
    const index = join(dir, "index");
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", index], { cwd: dir });
    expect(ingest.code).toBe(0);

    const child = spawn(process.execPath, [CLI, "discord", "--index", index], { cwd: dir, env: { ...process.env, LLAMADESK_INDEX: "", ...discordEnv() } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await fake.waitFor(() => stderr.includes("llamadesk is answering on Discord."), 60_000, "the bot to start");
      expect(stderr).toContain("discord: connected as llamadesk in 1 server(s)");
      const alice = { id: snowflake(), username: "alice" };
      const message = fake.postMessage({ channelId: general, author: alice, content: `<@${fake.botUser.id}> How do I stop Tidepool from using all my bandwidth?` });
      const answer = await fake.waitFor(() => fake.messagesIn(message.id).find((m) => m.components.length > 0), 30_000, "the answer");
      expect(answer.embeds[0].title).toBe("Sources");
      expect(answer.content.length).toBeGreaterThan(20);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGTERM: stopping…\nstopped.\n");
    expect(stderr).not.toContain("fake-token");
  }, 120_000);

  test("discord.js stays out of the main entry: only llamadesk/discord loads it", async () => {
    const hook = join(dir, "hook.mjs");
    await writeFile(hook, `export async function resolve(s, c, next) { if (/^(discord\\.js|@discordjs\\/)/.test(s)) process.stderr.write("loaded " + s + "\\n"); return next(s, c); }`);
    const loads = (entry: string) =>
      new Promise<string>((resolve) => {
        const script = `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)}); await import(${JSON.stringify(entry)});`;
        const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", () => resolve(stderr));
      });
    const dist = (path: string) => pathToFileURL(join(CLI, "../../..", path)).href;
    expect(await loads(dist("src/index.js"))).not.toContain("loaded discord.js");
    expect(await loads(dist("src/channels/discord/index.js"))).toContain("loaded discord.js");
  });
});
