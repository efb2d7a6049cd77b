import type { GuildTextBasedChannel } from "discord.js";
import { afterEach, expect, test, vi } from "vitest";
import { keepTyping } from "../../../src/channels/discord/keepTyping.js";

afterEach(() => void vi.useRealTimers());

function fakeChannel() {
  const calls: number[] = [];
  const channel = { sendTyping: async () => void calls.push(Date.now()) } as unknown as GuildTextBasedChannel;
  return { channel, calls };
}

test("typing starts only after the delay, is renewed while the answer is slow, and stops when told", () => {
  vi.useFakeTimers();
  const { channel, calls } = fakeChannel();
  const stop = keepTyping(channel, 400, 8000);
  vi.advanceTimersByTime(399);
  expect(calls).toHaveLength(0);
  vi.advanceTimersByTime(1);
  expect(calls).toHaveLength(1);
  vi.advanceTimersByTime(16_000);
  expect(calls).toHaveLength(3);
  stop();
  vi.advanceTimersByTime(60_000);
  expect(calls).toHaveLength(3);
});

test("an answer (or a silent handoff) before the delay shows no typing at all", () => {
  vi.useFakeTimers();
  const { channel, calls } = fakeChannel();
  const stop = keepTyping(channel, 400);
  vi.advanceTimersByTime(100);
  stop();
  vi.advanceTimersByTime(10_000);
  expect(calls).toEqual([]);
});
