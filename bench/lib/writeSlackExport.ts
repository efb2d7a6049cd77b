import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mulberry32 } from "./random.js";

export interface WriteSlackExportOptions {
  /** Folder to write the export into (created). */
  dir: string;
  /** Messages in the day files, noise included. */
  messages: number;
  /** Channels the messages are spread over. Defaults to 10. */
  channels?: number;
  /** Defaults to 1: the same options write the same export. */
  seed?: number;
}

export interface SlackExportStats {
  messages: number;
  /** Threads with content (a parent with replies, or a lone question); noise is extra. */
  threads: number;
  dayFiles: number;
  channels: string[];
  /** Workspace users, support agents first. */
  agents: string[];
}

const FEATURES = ["sync", "shared folders", "the desktop app", "the mobile app", "backups", "billing", "the API", "two-factor login", "the CSV export", "selective sync", "bandwidth limits", "team admin", "guest links", "version history", "the web dashboard"];
const PROBLEMS = ["ERR_QUOTA", "a 403 error", "a spinning icon that never stops", "files stuck at 99%", "a blank screen", "duplicate files named (conflicted copy)", "a timeout after 30 seconds", "the wrong invoice amount", "an expired token warning", "missing folders"];
const ACTIONS = ["set up", "turn off", "reset", "move", "restore", "limit", "share", "export", "rename", "reinstall"];
const FIXES = ["open Settings > Advanced and clear the cache", "sign out, sign back in and let it re-index", "update to the latest version and restart", "remove the folder from selective sync and add it back", "ask your team admin to raise the quota", "delete the local .tidepool folder and resync", "switch the network setting to 'no limit' for a minute", "use the Restore button in version history"];

/**
 * Writes a synthetic Slack workspace export in the real layout (channels.json,
 * users.json, <channel>/<YYYY-MM-DD>.json, 4-space JSON) for the ingest benchmark:
 * support threads whose replies cross day files, lone questions, joins, bot notices,
 * edits, reactions, files and mrkdwn mentions and links.
 */
export async function writeSlackExport(options: WriteSlackExportOptions): Promise<SlackExportStats> {
  const random = mulberry32(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const channelCount = options.channels ?? 10;
  const users = Array.from({ length: 205 }, (_, i) => ({
    id: `U${String(i).padStart(6, "0")}`,
    name: i < 5 ? `agent${i}` : `customer${i}`,
    real_name: i < 5 ? `Agent ${i}` : `Customer ${i}`,
    is_bot: false,
    profile: { real_name: i < 5 ? `Agent ${i}` : `Customer ${i}`, display_name: i < 5 ? `agent${i} (support)` : "" },
  }));
  const agents = users.slice(0, 5);
  const customers = users.slice(5);
  const channels = Array.from({ length: channelCount }, (_, i) => ({ id: `C${String(i).padStart(6, "0")}`, name: `support-${i}`, created: 1672531200, members: [] }));

  const perChannel = Math.ceil(options.messages / channelCount);
  let written = 0;
  let threads = 0;
  let dayFiles = 0;
  await mkdir(options.dir, { recursive: true });
  for (const channel of channels) {
    const budget = Math.min(perChannel, options.messages - written);
    const messages: Record<string, unknown>[] = [];
    let clock = 1672650000; // 2023-01-02, then forward
    const message = (user: (typeof users)[number], ts: number, text: string, extra: Record<string, unknown> = {}) => ({
      type: "message",
      user: user.id,
      text,
      ts: `${ts}.${String(Math.floor(random() * 1e6)).padStart(6, "0")}`,
      user_profile: { real_name: user.real_name, display_name: user.profile.display_name, name: user.name },
      ...extra,
    });
    while (messages.length < budget) {
      clock += Math.floor(600 + random() * 7200);
      const roll = random();
      if (roll < 0.05) {
        messages.push({ type: "message", subtype: "channel_join", user: pick(customers).id, ts: `${clock}.000000`, text: "has joined the channel" });
        continue;
      }
      if (roll < 0.08) {
        messages.push({ type: "message", subtype: "bot_message", bot_id: "B000001", username: "statusbot", ts: `${clock}.000001`, text: `Deploy ${Math.floor(random() * 900)} finished :rocket:` });
        continue;
      }
      const asker = pick(customers);
      const feature = pick(FEATURES);
      const question = message(
        asker,
        clock,
        `${pick(["Hi!", "Hello,", "Hey team,", ""])} How do I ${pick(ACTIONS)} ${feature}? Since yesterday I get ${pick(PROBLEMS)} &amp; nothing I try helps.`.trim(),
        random() < 0.1 ? { files: [{ id: `F${clock}`, name: `screenshot-${clock}.png`, title: "screenshot" }] } : {},
      );
      const replyCount = Math.min(random() < 0.4 ? 0 : 1 + Math.floor(random() * 6), budget - messages.length - 1);
      threads++;
      messages.push(question);
      if (replyCount === 0) continue;
      Object.assign(question, { thread_ts: question.ts, reply_count: replyCount });
      const agent = pick(agents);
      let replyClock = clock;
      for (let r = 0; r < replyCount; r++) {
        replyClock += Math.floor(300 + random() * 30_000); // some replies land on a later day
        const fromAgent = r % 2 === 0;
        const last = r === replyCount - 1;
        const text = fromAgent
          ? `Hi <@${asker.id}>, for ${feature}: ${pick(FIXES)}. Details in <https://docs.tidepool.example/${feature.replace(/\W+/g, "-")}|the guide>.`
          : last
            ? pick(["Thanks, that worked!", "Solved, thank you!", "That fixed it :tada:"])
            : `Still seeing ${pick(PROBLEMS)} after that, on ${pick(["macOS 14", "Windows 11", "Ubuntu 22.04", "iOS 17"])}.`;
        messages.push(
          message(fromAgent ? agent : asker, replyClock, text, {
            thread_ts: question.ts,
            parent_user_id: asker.id,
            ...(random() < 0.05 ? { edited: { user: fromAgent ? agent.id : asker.id, ts: `${replyClock + 60}.000000` } } : {}),
            ...(last && !fromAgent && random() < 0.5 ? { reactions: [{ name: "white_check_mark", users: [agent.id], count: 1 }] } : {}),
          }),
        );
      }
    }
    written += messages.length;
    const byDay = new Map<string, Record<string, unknown>[]>();
    for (const m of messages) {
      const day = new Date(Number(m.ts) * 1000).toISOString().slice(0, 10);
      const list = byDay.get(day);
      if (list) list.push(m);
      else byDay.set(day, [m]);
    }
    await mkdir(join(options.dir, channel.name));
    for (const [day, list] of byDay) {
      list.sort((a, b) => Number(a.ts) - Number(b.ts));
      await writeFile(join(options.dir, channel.name, `${day}.json`), JSON.stringify(list, null, 4));
      dayFiles++;
    }
  }
  await writeFile(join(options.dir, "users.json"), JSON.stringify(users, null, 4));
  await writeFile(join(options.dir, "channels.json"), JSON.stringify(channels, null, 4));
  return { messages: written, threads, dayFiles, channels: channels.map((c) => c.name), agents: agents.map((a) => a.id) };
}
