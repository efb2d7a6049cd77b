import type { ConversationStore } from "./ConversationStore.js";

export interface ConversationClaimOptions {
  /** How long a claim lasts unless extended; a holder that dies frees the conversation after this. Defaults to 30 s. */
  ttlMs?: number;
  /** Longest pause between tries while another holder answers. Defaults to 250 ms. */
  maxPollMs?: number;
  /** Aborting stops waiting: the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** A conversation claimed by `claimConversation`: release it once the answer is stored. */
export interface ConversationClaim {
  release(): Promise<void>;
}

/**
 * Waits until `holder` may answer in the conversation — no other process on the store (another replica) is
 * answering in it — and claims it, extending the claim every third of its time while the answer runs. So the
 * questions of one conversation are answered one at a time, in order, whichever replica each reaches.
 */
export async function claimConversation(store: ConversationStore, conversationId: string, holder: string, options: ConversationClaimOptions = {}): Promise<ConversationClaim> {
  const key = `answer:${conversationId}`;
  const ttlMs = options.ttlMs ?? 30_000;
  const maxPollMs = options.maxPollMs ?? 250;
  for (let pause = 10; !(await store.claim(key, holder, ttlMs)); pause = Math.min(pause * 2, maxPollMs)) {
    await sleep(pause, options.signal);
  }
  const extend = setInterval(() => void store.claim(key, holder, ttlMs).catch(() => {}), Math.max(1, Math.floor(ttlMs / 3)));
  extend.unref();
  return {
    async release() {
      clearInterval(extend);
      await store.releaseClaim(key, holder);
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
