import { describe, expect, it } from "vitest";
import { readSlackMessage } from "./readSlackMessage.js";

describe("readSlackMessage", () => {
  it("reads a reply with reactions, files and an edit", () => {
    const record = readSlackMessage({
      type: "message",
      ts: "1709542810.000200",
      thread_ts: "1709542800.000100",
      user: "U1",
      text: "fixed in 4.2.1",
      edited: { user: "U1", ts: "1709542900.000000" },
      reactions: [{ name: "white_check_mark", users: ["U2"], count: 1 }],
      files: [{ id: "F1", name: "log.txt" }, { id: "F2", mode: "tombstone" }],
      user_profile: { real_name: "Alice Chen", display_name: "" },
    });
    expect(record).toEqual({
      kind: "message",
      message: {
        ts: "1709542810.000200",
        threadTs: "1709542800.000100",
        replyCount: 0,
        userId: "U1",
        userNames: ["Alice Chen"],
        isBot: false,
        text: "fixed in 4.2.1",
        files: ["log.txt"],
        reactions: ["white_check_mark"],
        editedTs: "1709542900.000000",
      },
    });
  });

  it("marks bots: bot_message, a bot_id, Slackbot; takes an integration's attachment text when it has no text", () => {
    const bot = readSlackMessage({ type: "message", subtype: "bot_message", ts: "1.000001", bot_id: "B1", username: "ci", text: "", attachments: [{ fallback: "Build #12 failed" }] });
    expect(bot).toMatchObject({ kind: "message", message: { isBot: true, userNames: ["ci"], text: "Build #12 failed" } });
    expect(readSlackMessage({ type: "message", ts: "1.000002", user: "U9", bot_id: "B9", text: "posted via chat.postMessage" })).toMatchObject({ message: { isBot: true } });
  });

  it("classifies joins and other channel events as noise, tombstones and message_deleted as deletions", () => {
    expect(readSlackMessage({ type: "message", subtype: "channel_join", ts: "2.000001", user: "U1", text: "<@U1> has joined the channel" })).toMatchObject({ kind: "noise" });
    expect(readSlackMessage({ type: "message", subtype: "channel_topic", ts: "2.000002", text: "set the topic" })).toMatchObject({ kind: "noise" });
    expect(readSlackMessage({ type: "message", ts: "2.000003", user: "U1", text: "hidden", hidden: true })).toMatchObject({ kind: "noise" });
    expect(readSlackMessage({ type: "message", subtype: "tombstone", ts: "3.000001", thread_ts: "3.000001", reply_count: 2, text: "This message was deleted." })).toEqual({
      kind: "delete",
      ts: "3.000001",
      threadTs: "3.000001",
      replyCount: 2,
    });
    expect(readSlackMessage({ type: "message", subtype: "message_deleted", ts: "4.000002", deleted_ts: "4.000001" })).toMatchObject({ kind: "delete", ts: "4.000001" });
  });

  it("reads message_changed as an edit of the message it carries", () => {
    const record = readSlackMessage({ type: "message", subtype: "message_changed", ts: "5.000009", message: { type: "message", ts: "5.000001", user: "U1", text: "new text" } });
    expect(record).toMatchObject({ kind: "edit", message: { ts: "5.000001", text: "new text", editedTs: "5.000009" } });
  });

  it("says what is wrong with a record that is not a message", () => {
    expect(readSlackMessage("hello")).toEqual({ kind: "invalid", reason: 'expected a message object, got "hello"' });
    expect(readSlackMessage({ type: "message", ts: 17 })).toEqual({ kind: "invalid", reason: 'expected "ts" to be a Slack timestamp like "1700000000.000100", got a number' });
    expect(readSlackMessage({ type: "message", ts: "6.000001", text: ["a"] })).toEqual({ kind: "invalid", reason: '"text" must be a string, got an array' });
    expect(readSlackMessage({ type: "message", ts: "6.000002", reactions: [{ count: 1 }] })).toEqual({ kind: "invalid", reason: 'a reaction without a "name"' });
    expect(readSlackMessage({ type: "reaction_added", ts: "6.000003" })).toEqual({ kind: "invalid", reason: '"type" is "reaction_added", expected "message"' });
    expect(readSlackMessage({ type: "message", subtype: "frobnicated", ts: "6.000004", text: "x" })).toEqual({ kind: "invalid", reason: 'unknown subtype "frobnicated"' });
  });
});
