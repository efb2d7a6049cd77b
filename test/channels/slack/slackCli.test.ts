import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES_DIR } from "../../../src/config.js";
import { FakeSlack } from "../../support/fakeSlack.js";
import { CLI, runCli } from "../../support/runCli.js";
import { APP_TOKEN, appMention, BOT_TOKEN, BOT_USER } from "./slackRequests.js";

// `llamadesk slack` as users run it (the built bin; `npm run build` first), against the fake Slack.
const NO_SLACK_ENV = { SLACK_BOT_TOKEN: "", SLACK_SIGNING_SECRET: "", SLACK_APP_TOKEN: "", SLACK_API_URL: "", PORT: "", LLAMADESK_CONFIG: "" };

describe("llamadesk slack", () => {
  let work: string;
  let indexDir: string;
  let fake: FakeSlack;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-slack-cli-"));
    indexDir = join(work, "index");
    const ingest = await runCli(["ingest", SAMPLE_SOURCES_DIR, "--index", indexDir, "--json"], { cwd: work });
    expect(ingest.code, ingest.stderr).toBe(0);
    fake = await FakeSlack.start({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("says which variable is missing, before loading anything", async () => {
    const result = await runCli(["slack", "--index", join(work, "no-such-index")], { cwd: work, env: NO_SLACK_ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[CHANNEL_CONFIG_INVALID\]: SLACK_BOT_TOKEN is not set\./);
    const socket = await runCli(["slack", "--socket"], { cwd: work, env: { ...NO_SLACK_ENV, SLACK_BOT_TOKEN: BOT_TOKEN } });
    expect(socket.stderr).toMatch(/^error \[CHANNEL_CONFIG_INVALID\]: SLACK_APP_TOKEN is not set: Socket Mode needs/);
  });

  it("names the config file's wrong slack field", async () => {
    const dir = await mkdtemp(join(work, "config-"));
    await writeFile(join(dir, "llamadesk.config.json"), JSON.stringify({ slack: { channels: [{ channel: "C0SUPPORT", mode: "sometimes" }] } }));
    const result = await runCli(["slack"], { cwd: dir, env: { ...NO_SLACK_ENV, SLACK_BOT_TOKEN: BOT_TOKEN } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error [CHANNEL_CONFIG_INVALID]: ${join(dir, "llamadesk.config.json")}: slack: channels.0.mode: Invalid enum value`);
  });

  it("answers in Socket Mode until SIGTERM, then stops cleanly", async () => {
    const child = spawn(process.execPath, [CLI, "slack", "--socket", "--index", indexDir], {
      cwd: work,
      env: { ...process.env, ...NO_SLACK_ENV, LLAMADESK_INDEX: "", LLAMADESK_MODEL: "", SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await expect.poll(() => stderr, { timeout: 60_000, interval: 100 }).toContain("llamadesk is answering on Slack (Socket Mode)");
      const ts = fake.addMessage({ channel: "C0SUPPORT", user: "U0CUSTOMER", text: `<@${BOT_USER}> Can I limit how much bandwidth the desktop app uses?` });
      await fake.sendEnvelope("events_api", appMention({ channel: "C0SUPPORT", user: "U0CUSTOMER", text: `<@${BOT_USER}> Can I limit how much bandwidth the desktop app uses?`, ts }));
      // No chat model: the FAQ answer, verbatim, with its source.
      const answer = await fake.waitFor(() => fake.messages.find((m) => m.thread_ts === ts && m.blocks?.some((b: any) => b.type === "actions")), 30_000, "the answer");
      expect(answer.text.length).toBeGreaterThan(20);
      expect(JSON.stringify(answer.blocks)).toMatch(/sync-troubleshooting\.md:\d+/);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGTERM: stopping");
    expect(stderr).not.toContain(BOT_TOKEN);
    expect(stderr).not.toContain(APP_TOKEN);
    await expect.poll(() => fake.socketConnections).toBe(0);
  }, 90_000);
});
