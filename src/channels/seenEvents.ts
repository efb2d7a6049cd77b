import type { ConversationStore } from "../store/ConversationStore.js";

/**
 * How long a platform event is remembered. Slack retries an event it got no timely 200 for three times, the
 * last about five minutes after the first delivery; Discord replays a session's missed events when it resumes,
 * within minutes. An hour covers both with room and keeps the store's record small.
 */
export const SEEN_EVENT_WINDOW_MS = 60 * 60 * 1000;

/**
 * Event de-duplication, the same for every channel: true the first time `channel` sees event `eventId` (a
 * Slack message's `<channel>:<ts>`, a Discord `message:<id>`), false when the platform delivers it again within
 * the window. The conversation store decides (insert-if-absent), so a redelivery after a restart, or to a
 * second process on the same store, is not answered twice; nothing is kept in process memory.
 */
export function firstSighting(store: ConversationStore, channel: string, eventId: string, windowMs = SEEN_EVENT_WINDOW_MS): Promise<boolean> {
  return store.markEventSeen(`${channel}:${eventId}`, windowMs);
}
