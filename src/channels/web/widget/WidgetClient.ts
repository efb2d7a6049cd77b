import { readSse } from "./readSse.js";

// The wire types below mirror the server's (src/channels/web/widgetEvents.ts): the widget compiles on its own,
// against DOM types, and cannot import server code.

/** A source under an answer: a link when it has a web address, else where it is. */
export interface SourceLink {
  n: number;
  title: string;
  href?: string;
  where?: string;
}

/** The events of one answer, as the server streams them. */
export type AnswerEvent =
  | { type: "sources"; sources: SourceLink[] }
  | { type: "token"; text: string }
  | { type: "done"; answer: string; turnId: string; sources: SourceLink[]; related?: SourceLink[] }
  | { type: "abstained"; message: string; turnId: string; sources: SourceLink[] }
  | { type: "handoff"; reason: string; message: string }
  | { type: "error"; code: string; message: string };

export interface HistoryTurn {
  id: string;
  role: "user" | "assistant";
  text: string;
  outcome?: string;
  sources: SourceLink[];
  related?: SourceLink[];
}

/** The server refused the request: its status, code and message; `retryAfter` seconds for 429. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter = 0,
  ) {
    super(message);
  }
}

/** The request never got an answer, or the answer stream broke off: the network, not the server, said no. */
export class NetworkError extends Error {}

/** The widget's calls to the llamadesk HTTP API. */
export class WidgetClient {
  constructor(readonly base: string) {}

  async createConversation(): Promise<string> {
    return ((await this.json("POST", "/api/conversations")) as { id: string }).id;
  }

  async history(id: string): Promise<HistoryTurn[]> {
    return ((await this.json("GET", `/api/conversations/${id}`)) as { turns: HistoryTurn[] }).turns;
  }

  async feedback(id: string, turnId: string, vote: "up" | "down"): Promise<void> {
    await this.json("POST", `/api/conversations/${id}/feedback`, { turnId, vote });
  }

  async handoff(id: string, form: { name: string; email: string; message: string }): Promise<void> {
    await this.json("POST", `/api/conversations/${id}/handoff`, form);
  }

  async health(): Promise<boolean> {
    try {
      return (await fetch(this.url("/healthz"), { cache: "no-store" })).ok;
    } catch {
      return false;
    }
  }

  /**
   * Asks and calls `onEvent` for each event as it arrives. Resolves with the final event; throws ApiError
   * when refused, NetworkError when the connection fails or the stream ends without a final event.
   */
  async ask(id: string, text: string, onEvent: (event: AnswerEvent) => void, signal?: AbortSignal): Promise<AnswerEvent> {
    const response = await this.send("POST", `/api/conversations/${id}/messages`, { text }, signal);
    let last: AnswerEvent | undefined;
    try {
      await readSse(response.body!, ({ event, data }) => {
        const parsed = { type: event, ...(JSON.parse(data) as object) } as AnswerEvent;
        if (parsed.type !== "sources" && parsed.type !== "token") last = parsed;
        onEvent(parsed);
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new NetworkError(String(error));
    }
    if (!last) throw new NetworkError("The answer stream ended early.");
    return last;
  }

  private url(path: string): string {
    return new URL(path, this.base).href;
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    return (await this.send(method, path, body)).json();
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new NetworkError(String(error));
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
      throw new ApiError(
        response.status,
        problem?.error?.code ?? `HTTP_${response.status}`,
        problem?.error?.message ?? response.statusText,
        Number(response.headers.get("retry-after")) || 0,
      );
    }
    return response;
  }
}
