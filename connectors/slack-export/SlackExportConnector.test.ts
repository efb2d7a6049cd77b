import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatThread } from "../../src/chat/ChatThread.js";
import { isLlamadeskError } from "../../src/errors.js";
import type { SourceDoc, SourceIssue } from "../../src/types.js";
import { definition, SlackExportConnector, type SlackExportConnectorOptions } from "./index.js";

const fixture = fileURLToPath(new URL("./fixtures/acme-export", import.meta.url));
const QUOTA = "slack:C01SUPPORT:1709542800.000100";

async function pullAll(options: Partial<SlackExportConnectorOptions> = {}): Promise<{ docs: SourceDoc[]; threads: ChatThread[]; issues: SourceIssue[] }> {
  const docs: SourceDoc[] = [];
  const issues: SourceIssue[] = [];
  const connector = new SlackExportConnector({ path: fixture, ...options });
  for await (const doc of connector.pull({ onIssue: (issue) => issues.push(issue) })) docs.push(doc);
  return { docs, threads: docs.map((doc) => doc.thread!), issues };
}

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(join(tmpdir(), "llamadesk-slack-export-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe("SlackExportConnector", () => {
  it("yields one chat doc per thread, channel by channel, oldest first, each citing its permalink", async () => {
    const { docs } = await pullAll({ supportUsers: ["U02BOB"], baseUrl: "https://acme.slack.com/" });
    expect(docs.map((doc) => [doc.id, doc.kind, doc.url, `${doc.location?.file}:${doc.location?.line}`])).toEqual([
      [QUOTA, "chat", "https://acme.slack.com/archives/C01SUPPORT/p1709542800000100", "support/2024-03-04.json:9"],
      ["slack:C01SUPPORT:1709548200.000100", "chat", "https://acme.slack.com/archives/C01SUPPORT/p1709548200000100", "support/2024-03-04.json:78"],
      ["slack:C01SUPPORT:1709551800.000100", "chat", "https://acme.slack.com/archives/C01SUPPORT/p1709551800000100", "support/2024-03-04.json:92"],
      ["slack:C01SUPPORT:1709625600.000100", "chat", "https://acme.slack.com/archives/C01SUPPORT/p1709625600000100", "support/2024-03-05.json:44"],
      ["slack:C01SUPPORT:1709805600.000100", "chat", "https://acme.slack.com/archives/C01SUPPORT/p1709805600000100", "support/2024-03-07.json:2"],
      ["slack:C02GENERAL:1709553600.000100", "chat", "https://acme.slack.com/archives/C02GENERAL/p1709553600000100", "general/2024-03-04.json:2"],
    ]);
  });

  it("rebuilds a thread whose replies arrive over three day files, with names, roles, reactions and edits", async () => {
    const { threads } = await pullAll({ supportUsers: ["bob"] });
    const quota = threads.find((thread) => thread.id === QUOTA)!;
    expect(quota).toMatchObject({ platform: "slack", channel: "#support", updatedAt: "2024-03-06T09:15:00.000Z", location: { file: "support/2024-03-04.json", line: 9 } });
    expect(quota.url).toBeUndefined();
    expect(quota.messages.map((m) => [m.ts, m.author, m.authorId, m.role, m.reactions, m.edited])).toEqual([
      ["2024-03-04T09:00:00.000Z", "alice.c", "U01ALICE", "customer", ["eyes"], undefined],
      ["2024-03-04T09:10:00.000Z", "Bob (Acme support)", "U02BOB", "agent", undefined, true],
      ["2024-03-05T09:00:00.000Z", "alice.c", "U01ALICE", "customer", undefined, undefined],
      ["2024-03-06T09:00:00.000Z", "Bob (Acme support)", "U02BOB", "agent", undefined, undefined],
      ["2024-03-06T09:15:00.000Z", "alice.c", "U01ALICE", "customer", ["white_check_mark"], undefined],
    ]);
    expect(quota.messages.map((m) => m.id)).toEqual(["1709542800.000100", "1709543400.000100", "1709629200.000100", "1709715600.000100", "1709716500.000100"]);
  });

  it("decodes mrkdwn in the indexed text: mentions, channels, links, entities, escaped slashes, file names", async () => {
    const { docs } = await pullAll({ supportUsers: ["Bob Ortiz"] });
    const quota = docs.find((doc) => doc.id === QUOTA)!;
    expect(quota.title).toBe("Hi! Tidepool sync keeps failing with `ERR_QUOTA` after I upgraded to 4.2 & restarted. The status page…");
    expect(quota.text).toContain("alice.c (customer): Hi! Tidepool sync keeps failing with `ERR_QUOTA` after I upgraded to 4.2 & restarted. The status page (https://status.acme.example) says all good. cc @Bob (Acme support)");
    expect(quota.text).toContain("Bob (Acme support) (agent): Hi @alice.c, 4.2 resets the quota cache. Run `tidepool quota --refresh` and sync again. More in #general.");
    expect(quota.text).toContain("delete `~/.tidepool/quota.db`");
    const csv = docs.find((doc) => doc.id === "slack:C01SUPPORT:1709551800.000100")!;
    expect(csv.text).toContain("dave (customer): CSV export stops at exactly 10,000 rows, is that a limit?\n[file: export-march.csv]");
    expect(csv.text).toContain("Use the API for more: https://docs.acme.example/api#export");
    const general = docs.find((doc) => doc.id === "slack:C02GENERAL:1709553600.000100")!;
    expect(general.text).toContain("@here Tidepool 4.2 is out: release notes (https://acme.example/releases/4.2)");
    expect(general.text).toContain("helperbot (bot): Reminder: the 4.2 changelog is pinned in #support.");
    expect(docs.find((doc) => doc.id === "slack:C01SUPPORT:1709548200.000100")!.text).toContain("Is there a dark mode on the roadmap? <3 the app otherwise");
  });

  it("drops joins, bot-only threads, tombstones, deleted messages and huddle notices", async () => {
    const { docs } = await pullAll();
    const all = docs.map((doc) => `${doc.title}\n${doc.text}`).join("\n");
    for (const gone of ["has joined the channel", "Deploy of tidepool-server", "This message was deleted", "hunter2", "unknown subtype", "ts is a number"]) {
      expect(all).not.toContain(gone);
    }
    // The tombstoned question is gone; the reply that remains is still a thread of its own.
    expect(docs.find((doc) => doc.id === "slack:C01SUPPORT:1709625600.000100")!.thread!.messages.map((m) => m.text)).toEqual([
      "Please never post license keys in public channels, I have revoked that one.",
    ]);
  });

  it("reports a bad user, bad messages and a truncated day file with file and line, and ingests the rest", async () => {
    const { docs, issues } = await pullAll();
    expect(issues).toEqual([
      { file: "users.json", line: 58, message: "expected a user object, skipped" },
      { file: "support/2024-03-05.json", line: 87, message: 'message skipped: expected "ts" to be a Slack timestamp like "1700000000.000100", got a number' },
      { file: "support/2024-03-05.json", line: 93, message: 'message skipped: unknown subtype "frobnicated"' },
      { file: "support/2024-03-07.json", line: 16, message: "the file ends inside element 2 (truncated?); it and anything after it were skipped" },
    ]);
    // The complete message before the truncation still ingests.
    expect(docs.find((doc) => doc.id === "slack:C01SUPPORT:1709805600.000100")?.title).toBe("How do I change the billing email on our account?");
  });

  it("without users.json, reports it and names authors from the profiles their messages carry", async () => {
    const copy = join(temp, "export");
    await cp(fixture, copy, { recursive: true });
    await rm(join(copy, "users.json"));
    const { docs, issues } = await pullAll({ path: copy, supportUsers: ["bob"] });

    expect(issues[0]).toEqual({
      file: "users.json",
      message: "users.json is missing, so authors show as the names their messages carry, else as user ids: export the workspace again, or copy users.json into the folder",
    });
    const quota = docs.find((doc) => doc.id === QUOTA)!.thread!;
    expect(quota.messages.map((m) => [m.author, m.role])).toEqual([
      ["alice.c", "customer"],
      ["Bob (Acme support)", "agent"],
      ["alice.c", "customer"],
      ["Bob (Acme support)", "agent"],
      ["alice.c", "customer"],
    ]);
    // A mention of a user no message profile names falls back to the id.
    expect(quota.messages[0]!.text).toContain("cc @U02BOB");
    expect(docs).toHaveLength(6);
  });

  it("reads only the chosen channels, by name or id, and reports one the export lacks", async () => {
    const { docs, issues } = await pullAll({ channels: ["#general", "C09NOPE"] });
    expect(docs.map((doc) => doc.id)).toEqual(["slack:C02GENERAL:1709553600.000100"]);
    expect(issues).toContainEqual({ file: "channels.json", message: 'channel "C09NOPE" is not in the export (channels: support, general, random); check the "channels" option' });
    expect((await pullAll({ channels: ["C01SUPPORT"] })).docs).toHaveLength(5);
  });

  it("without channels.json, reads each folder as a channel and says so", async () => {
    const copy = join(temp, "export");
    await cp(fixture, copy, { recursive: true });
    await rm(join(copy, "channels.json"));
    const { docs, issues } = await pullAll({ path: copy });
    const ids = docs.map((doc) => doc.id);
    expect(ids).toContain("slack:general:1709553600.000100");
    expect(ids).toContain(`slack:support:1709542800.000100`);
    expect(issues.map((i) => i.file)).toContain("channels.json");
  });

  it("throws SOURCE_NOT_FOUND for a folder that does not exist", async () => {
    const connector = new SlackExportConnector({ path: join(temp, "nope") });
    await expect(async () => {
      for await (const _ of connector.pull()) void _;
    }).rejects.toSatisfy((error) => isLlamadeskError(error, "SOURCE_NOT_FOUND") && (error as Error).message.includes("channels.json"));
  });

  it("has a sync definition that checks options and resolves the path against the config file's folder", () => {
    const options = definition.options.parse({ path: "acme-export", supportUsers: ["U02BOB"], baseUrl: "https://acme.slack.com" });
    const connector = definition.create(options, { baseDir: join(fixture, ".."), env: () => undefined });
    expect(connector.origin).toBe(fixture);
    expect(definition.options.safeParse({ path: "x", supportUser: ["typo"] }).success).toBe(false);
    expect(definition.options.safeParse({ path: "" }).success).toBe(false);
    expect(definition.options.safeParse({ path: "x", channels: [] }).success).toBe(false);
  });
});
