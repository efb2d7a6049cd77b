import type { BotEvent } from "../../BotEvent.js";
import { toWidgetEvent, type WidgetEvent } from "./widgetEvents.js";

export interface SseResponseOptions {
  /** Aborted when the client goes away: the ask stops and the model is free for others. */
  controller: AbortController;
  /** Called with each bot `error` and `notice` (for the server log). Defaults to nothing. */
  onProblem?: (event: Extract<BotEvent, { type: "error" | "notice" }>) => void;
  /** Sends a comment this often while nothing else is sent, so proxies keep the stream open. Defaults to 15 s. */
  keepAliveMs?: number;
}

const encoder = new TextEncoder();

/** One Server-Sent Event: `event: <type>` and the JSON of the rest. */
export function formatSse(event: WidgetEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams `bot.ask()` events as Server-Sent Events. A client that disconnects cancels the stream, which aborts
 * the ask: generation stops at the next token, and the next question (in this conversation too) can start.
 */
export function sseResponse(events: AsyncGenerator<BotEvent, void, undefined>, options: SseResponseOptions): Response {
  const { controller } = options;
  let keepAlive: NodeJS.Timeout | undefined;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(sink) {
      const send = (text: string) => {
        if (!closed) sink.enqueue(encoder.encode(text));
      };
      keepAlive = setInterval(() => send(": keep-alive\n\n"), options.keepAliveMs ?? 15_000);
      void (async () => {
        try {
          for await (const event of events) {
            if (event.type === "error" || event.type === "notice") options.onProblem?.(event);
            const out = toWidgetEvent(event);
            if (out) send(formatSse(out));
          }
        } catch {
          // bot.ask never throws; should it ever, the client still gets an ending.
          send(formatSse({ type: "error", code: "INTERNAL_ERROR", message: "Sorry, the answer failed. Please try again." }));
        } finally {
          clearInterval(keepAlive);
          if (!closed) {
            closed = true;
            sink.close();
          }
        }
      })();
    },
    cancel() {
      closed = true;
      clearInterval(keepAlive);
      controller.abort(new Error("The client closed the stream."));
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}
