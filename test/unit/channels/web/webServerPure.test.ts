import { describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../../../src/errors.js";
import { ConversationIds, WEB_CONVERSATION_ID } from "../../../../src/channels/web/ConversationIds.js";
import { MemoryIssuedConversationIds } from "../../../../src/channels/web/IssuedConversationIds.js";
import { originPolicy } from "../../../../src/channels/web/guards.js";
import { listenOrigins } from "../../../../src/channels/web/listenOrigins.js";
import { parseWebConfig, readWebSecrets } from "../../../../src/channels/web/webConfig.js";
import { formatSse } from "../../../../src/channels/web/sseResponse.js";
import { toWidgetEvent, toWidgetTurn } from "../../../../src/channels/web/widgetEvents.js";

// The rate limiters and the issued-id registries have contract suites: test/contract/RateLimiter, IssuedConversationIds.
describe("ConversationIds", () => {
  /** A store that knows only `used` ids (they have turns). */
  const store = (used: Set<string>) => ({ history: async (id: string) => (used.has(id) ? [{} as never] : []) });

  it("issues ids of the web form that exist while remembered or once used; used ids live on in the store", async () => {
    const used = new Set<string>();
    const issued = new MemoryIssuedConversationIds({ maxIssued: 100, now: () => 0 });
    const ids = new ConversationIds(store(used), issued);
    const all = await Promise.all(Array.from({ length: 1_000 }, () => ids.issue()));
    expect(all.every((id) => WEB_CONVERSATION_ID.test(id))).toBe(true);
    expect(new Set(all).size).toBe(1_000);
    used.add(all[0]!);
    expect(await ids.exists(all[0]!)).toBe(true); // used: the store has it
    expect(await ids.exists(all[1]!)).toBe(false); // never used, pushed out by 900 newer ones
    expect(await ids.exists(all[999]!)).toBe(true);
  });

  it("accepts only ids of the web form, whatever the store holds", async () => {
    const ids = new ConversationIds(store(new Set(["slack:C1:1.0", "web-short"])), new MemoryIssuedConversationIds());
    expect(await ids.exists("slack:C1:1.0")).toBe(false);
    expect(await ids.exists("web-short")).toBe(false);
  });
});

describe("which pages may call the API", () => {
  it("allows the listed origins and the server's own, never a look-alike or another scheme", () => {
    const allowed = originPolicy(["https://shop.example.com"], () => ["https://support.example.com", "http://127.0.0.1:8787"]);
    for (const origin of ["https://shop.example.com", "https://support.example.com", "http://127.0.0.1:8787"]) expect(allowed(origin), origin).toBe(true);
    for (const origin of ["http://shop.example.com", "http://support.example.com", "https://127.0.0.1:8787", "http://127.0.0.1:8788", "http://evil.example:8787", "null"]) {
      expect(allowed(origin), origin).toBe(false);
    }
    expect(originPolicy(["*"], () => [])("http://anything.example")).toBe(true);
  });

  it("derives the server's own origins from where it listens", () => {
    const interfaces = {
      lo: [{ address: "127.0.0.1", family: "IPv4", scopeid: undefined }],
      eth0: [
        { address: "192.168.1.20", family: "IPv4" },
        { address: "fe80::1", family: "IPv6", scopeid: 2 },
        { address: "2001:db8::5", family: "IPv6", scopeid: 0 },
      ],
    } as never;
    const loopback = ["http://localhost:8787", "http://127.0.0.1:8787", "http://[::1]:8787"];
    expect(listenOrigins("127.0.0.1", 8787, interfaces)).toEqual(loopback);
    expect(listenOrigins("localhost", 8787, interfaces)).toEqual(loopback);
    expect(listenOrigins("0.0.0.0", 8787, interfaces)).toEqual([...loopback, "http://0.0.0.0:8787", "http://192.168.1.20:8787", "http://[2001:db8::5]:8787"]);
    expect(listenOrigins("::", 8787, interfaces)).toContain("http://[::]:8787");
    expect(listenOrigins("192.168.1.20", 80, interfaces)).toEqual(["http://192.168.1.20"]);
    expect(listenOrigins("support.internal", 8080, interfaces)).toEqual(["http://support.internal:8080"]);
  });
});

describe("parseWebConfig", () => {
  const problem = (raw: unknown): string => {
    try {
      parseWebConfig(raw, "/srv/llamadesk.config.json");
    } catch (error) {
      expect(isLlamadeskError(error, "CHANNEL_CONFIG_INVALID")).toBe(true);
      return (error as Error).message;
    }
    throw new Error("expected a CHANNEL_CONFIG_INVALID error");
  };

  it("fills in the defaults", () => {
    expect(parseWebConfig(undefined)).toEqual({
      host: "127.0.0.1",
      origins: [],
      strings: {},
      requireApiKey: false,
      trustProxy: false,
      maxBodyBytes: 16_384,
      maxMessageChars: 2000,
      rateLimit: { perIp: { requests: 60, windowSeconds: 60 }, perConversation: { requests: 10, windowSeconds: 60 } },
      admin: { signInLimit: { requests: 5, windowSeconds: 60 } },
    });
    expect(parseWebConfig({ rateLimit: { perIp: { requests: 5, windowSeconds: 1 } } }).rateLimit.perConversation).toEqual({ requests: 10, windowSeconds: 60 });
  });

  it("names the file and the field of every mistake", () => {
    expect(problem({ origins: ["https://shop.example.com/path"] })).toMatch(/^\/srv\/llamadesk\.config\.json: web\.origins\.0: must be an origin such as/);
    expect(problem({ origins: ["shop.example.com"] })).toContain("web.origins.0:");
    expect(problem({ rateLimit: { perIp: { requests: 0, windowSeconds: 60 } } })).toContain("web.rateLimit.perIp.requests:");
    expect(problem({ rateLimit: { perConversation: { requests: 1 } } })).toContain("web.rateLimit.perConversation.windowSeconds:");
    expect(problem({ port: "80" })).toContain("web.port: Expected number, received string");
    expect(problem({ origin: ["x"] })).toContain("web.origin:");
    expect(problem({ requireApiKey: true })).toContain("web.requireApiKey: requireApiKey needs apiKeyEnv");
    expect(problem({ apiKeyEnv: "my key" })).toContain("web.apiKeyEnv: must be the name of an environment variable");
    expect(problem({ handoffWebhook: "ftp://x.example" })).toContain("web.handoffWebhook: must be an http(s) URL");
    expect(problem({ handoffWebhook: "https://a.example/h", handoffWebhookEnv: "HOOK" })).toContain("web.handoffWebhookEnv: give handoffWebhook or handoffWebhookEnv, not both");
    expect(problem({ publicUrl: "support.example.com" })).toContain('web.publicUrl: must be an http(s) URL such as "https://support.example.com"');
    expect(problem({ strings: { greting: "Hi" } })).toContain("web.strings.greting:");
    expect(problem({ strings: { greeting: "" } })).toContain("web.strings.greeting:");
  });

  it("reads the API key and webhook URL from the variables the config names, and says which is unset", () => {
    const config = parseWebConfig({ apiKeyEnv: "SUPPORT_API_KEY", handoffWebhookEnv: "SUPPORT_HOOK" });
    expect(readWebSecrets(config, { SUPPORT_API_KEY: "k1", SUPPORT_HOOK: "https://hooks.example/x" })).toEqual({ apiKey: "k1", handoffWebhook: "https://hooks.example/x" });
    expect(() => readWebSecrets(config, { SUPPORT_HOOK: "https://hooks.example/x" })).toThrow("web.apiKeyEnv names SUPPORT_API_KEY, which is not set");
    expect(() => readWebSecrets(config, { SUPPORT_API_KEY: "k1", SUPPORT_HOOK: "not a url" })).toThrow("SUPPORT_HOOK must hold an http(s) URL");
    expect(readWebSecrets(parseWebConfig({ handoffWebhook: "https://a.example/h" }), {})).toEqual({ handoffWebhook: "https://a.example/h" });
  });
});

describe("widget events", () => {
  it("sends sources as links, hides operator notices and internal error text", () => {
    const source = { n: 1, id: "d", chunkId: "d#0", kind: "faq" as const, title: "Refunds", source: "faq.md:3", score: 0.9 };
    expect(toWidgetEvent({ type: "sources", sources: [source, { ...source, n: 2, url: "https://help.example/r" }], question: "q" })).toEqual({
      type: "sources",
      sources: [
        { n: 1, title: "Refunds", where: "faq.md:3" },
        { n: 2, title: "Refunds", href: "https://help.example/r" },
      ],
    });
    expect(toWidgetEvent({ type: "notice", code: "MODEL_UNAVAILABLE", message: "no model at /srv/models" })).toBeUndefined();
    expect(toWidgetEvent({ type: "error", code: "MODEL_FAILED", message: "llama.cpp crashed loading /srv/models/x.gguf" })).toEqual({
      type: "error",
      code: "MODEL_FAILED",
      message: "Sorry, the answer failed. Please try again.",
    });
    expect(formatSse({ type: "token", text: "a\nb" })).toBe('event: token\ndata: {"text":"a\\nb"}\n\n');
  });

  it("sends a verbatim answer's related entries apart from its sources, live and from the stored turn", () => {
    const source = { n: 1, id: "d", chunkId: "d#0", kind: "faq" as const, title: "Refunds", source: "faq.md:3", score: 0.9 };
    const related = { ...source, n: 2, id: "e", title: "Returns", url: "https://help.example/returns" };
    const timing = { condenseMs: 0, retrievalMs: 1, queueMs: 0, timeToFirstTokenMs: 1, tokensPerSecond: null, tokens: 0, promptTokens: 0, promptTokensEvaluated: 0, totalMs: 2 };
    expect(toWidgetEvent({ type: "done", answer: "Yes.", mode: "extractive", citations: [source], sources: [source], related: [related], turnId: "t", timing })).toMatchObject({
      sources: [{ n: 1, title: "Refunds", where: "faq.md:3" }],
      related: [{ n: 2, title: "Returns", href: "https://help.example/returns" }],
    });
    const turn = toWidgetTurn({
      id: "t",
      conversationId: "c",
      role: "assistant",
      text: "Yes.",
      createdAt: "",
      outcome: "answered",
      sources: [{ id: "d", title: "Refunds", source: "faq.md:3", score: 0.9 }, { id: "e", title: "Returns", source: "https://help.example/returns", score: 0.8, related: true }],
    });
    expect(turn.sources).toEqual([{ n: 1, title: "Refunds", where: "faq.md:3" }]);
    expect(turn.related).toEqual([{ n: 2, title: "Returns", href: "https://help.example/returns" }]);
  });
});
