import { describe, expect, it, vi } from "vitest";
import type { ConversationStore } from "../../src/store/ConversationStore.js";
import { claimConversation } from "../../src/store/claimConversation.js";
import { MemoryConversationStore } from "../../src/store/MemoryConversationStore.js";

describe("claimConversation", () => {
  it("waits while another holder answers, and takes the conversation once that one releases it", async () => {
    const store = new MemoryConversationStore();
    const a = await claimConversation(store, "c1", "replica-a");
    let bHas = false;
    const b = claimConversation(store, "c1", "replica-b").then((claim) => ((bHas = true), claim));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bHas).toBe(false);
    await a.release();
    await (await b).release();
    expect(bHas).toBe(true);
  });

  it("takes over from a holder that died (stopped extending its claim) once the claim's time is up", async () => {
    const store = new MemoryConversationStore();
    expect(await store.claim("answer:c1", "dead-replica", 200)).toBe(true);
    const claim = await claimConversation(store, "c1", "replica-b", { ttlMs: 200 });
    expect(await store.claim("answer:c1", "dead-replica", 200)).toBe(false);
    await claim.release();
  });

  it("keeps extending its claim while the answer runs, so a long answer is not taken over", async () => {
    let t = Date.parse("2024-05-01T09:00:00.000Z");
    const store = new MemoryConversationStore({ now: () => new Date(t) });
    let extensions = 0;
    // The store as claimConversation sees it, counting the holder's extensions.
    const counting = {
      claim: async (key: string, holder: string, ttlMs: number) => ((extensions += holder === "replica-a" ? 1 : 0), store.claim(key, holder, ttlMs)),
      releaseClaim: (key: string, holder: string) => store.releaseClaim(key, holder),
    } as unknown as ConversationStore;
    const claim = await claimConversation(counting, "c1", "replica-a", { ttlMs: 30 });
    for (let round = 0; round < 3; round++) {
      // Most of a lifetime passes on the store's clock; an extension comes (every third of it) and renews it.
      t += 25;
      const before = extensions;
      await vi.waitFor(() => expect(extensions).toBeGreaterThan(before), { timeout: 10_000, interval: 5 });
      expect(await store.claim("answer:c1", "replica-b", 30)).toBe(false);
    }
    await claim.release();
    expect(await store.claim("answer:c1", "replica-b", 30)).toBe(true);
  });

  it("stops waiting when the ask is cancelled, with the signal's reason", async () => {
    const store = new MemoryConversationStore();
    await store.claim("answer:c1", "replica-a", 60_000);
    const controller = new AbortController();
    const waiting = claimConversation(store, "c1", "replica-b", { signal: controller.signal });
    controller.abort(new Error("the customer left"));
    await expect(waiting).rejects.toThrow("the customer left");
    expect(await store.claim("answer:c1", "replica-b", 1)).toBe(false); // it never took the claim
  });
});
