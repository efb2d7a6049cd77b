/** One Server-Sent Event: its `event:` name (default "message") and its `data:` lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body and calls `onEvent` for each event, per the EventSource parsing rules
 * (`event:`/`data:` fields, `:` comments, blank line dispatches, CRLF or LF). Resolves when the body ends.
 */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const line = (text: string) => {
    if (text === "") {
      if (data.length > 0) onEvent({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  for (;;) {
    const { done, value } = await reader.read();
    buffer += decoder.decode(value, { stream: !done });
    let at: number;
    while ((at = buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A lone CR at the very end may be half of a CRLF still to come.
      if (buffer[at] === "\r" && at === buffer.length - 1 && !done) break;
      line(buffer.slice(0, at));
      buffer = buffer.slice(at + (buffer.startsWith("\r\n", at) ? 2 : 1));
    }
    if (done) {
      if (buffer) line(buffer);
      return;
    }
  }
}
