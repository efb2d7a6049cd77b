/** Where the widget keeps its conversation id, so the conversation survives page loads. */
export interface ConversationStorage {
  get(): string | undefined;
  set(id: string): void;
  remove(): void;
}

/** localStorage, one key per server; in memory when the browser refuses storage (private modes, blocked cookies). */
export function conversationStorage(serverUrl: string): ConversationStorage {
  const key = `llamadesk:conversation:${serverUrl}`;
  let memory: string | undefined;
  const attempt = <T>(action: () => T, fallback: () => T): T => {
    try {
      return action();
    } catch {
      return fallback();
    }
  };
  return {
    get: () => attempt(() => localStorage.getItem(key) ?? undefined, () => memory),
    set: (id) => attempt(() => localStorage.setItem(key, id), () => void (memory = id)),
    remove: () => attempt(() => localStorage.removeItem(key), () => void (memory = undefined)),
  };
}
