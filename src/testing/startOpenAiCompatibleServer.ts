import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Embedder } from "../knowledge/Embedder.js";
import type { ChatMessage, ChatModel, GenerationResult } from "../model/ChatModel.js";

export interface OpenAiCompatibleServerOptions {
  /** Generates the answers: a `FakeChatModel` for protocol tests, a `LlamaChatModel` for real tokens. */
  chatModel: ChatModel;
  /** Answers `/v1/embeddings`. Defaults to none: 404 there. */
  embedder?: Embedder;
  /** The names `GET /v1/models` lists (any is accepted in requests). Defaults to `[chatModel.id]`. */
  models?: string[];
  /** The key requests must carry (`Authorization: Bearer <key>` or `api-key: <key>`); others get 401. Defaults to none: any request is served. */
  apiKey?: string;
}

/** Something other than a good answer, for the next request: what the edge-case tests script. */
export type ServerFault =
  /** An error response: `status`, a JSON body (`{ error: { message } }` unless given), extra headers (e.g. `retry-after`). */
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer. */
  | { hang: true }
  /** Stream this many content chunks (at least 1), then drop the connection. */
  | { cutAfter: number }
  /** Stream this many content chunks, then send nothing more (the connection stays open). */
  | { stallAfter: number }
  /** Send these server-sent-event data lines instead of the answer (`[DONE]` not added). */
  | { events: string[] };

export interface RecordedModelRequest {
  method: string;
  /** Path with the query, e.g. `/v1/chat/completions?api-version=2024-10-21`. */
  url: string;
  headers: IncomingMessage["headers"];
  /** The JSON body, parsed; undefined for a GET. */
  body: Record<string, unknown> | undefined;
  /** Set when the client closed the connection before the response ended. */
  clientClosed: boolean;
}

export interface OpenAiCompatibleServer {
  /** `http://127.0.0.1:<port>/v1`: what `OpenAiChatModel` takes as `baseUrl`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedModelRequest[];
  /** Faults for the next requests, one each, in order; good answers after them. */
  script(...faults: ServerFault[]): void;
  close(): Promise<void>;
}

/**
 * A loopback server that speaks the OpenAI API as vLLM and llama.cpp's llama-server do: `GET /v1/models`,
 * `POST /v1/chat/completions` (streamed as server-sent events: a role-only first chunk, one chunk per piece the
 * chat model generates, a finish chunk, a usage chunk when `stream_options.include_usage`, `[DONE]`; or one JSON
 * body without `stream`), and `POST /v1/embeddings`. A client that hangs up aborts the generation. `script()`
 * injects the failures real servers and networks produce.
 */
export async function startOpenAiCompatibleServer(options: OpenAiCompatibleServerOptions): Promise<OpenAiCompatibleServer> {
  const faults: ServerFault[] = [];
  const requests: RecordedModelRequest[] = [];
  const sockets = new Set<Socket>();
  const models = options.models ?? [options.chatModel.id];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { message: (error as Error).message, type: "server_error" } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const recorded: RecordedModelRequest = { method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body, clientClosed: false };
    requests.push(recorded);
    res.on("close", () => void (recorded.clientClosed = !res.writableFinished));
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}` && req.headers["api-key"] !== options.apiKey) {
      json(res, 401, { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } });
      return;
    }
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const fault = path === "/v1/models" ? undefined : faults.shift();
    if (fault && "hang" in fault) return;
    if (fault && "status" in fault) {
      json(res, fault.status, fault.body ?? { error: { message: `scripted ${fault.status}`, type: "server_error" } }, fault.headers);
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      json(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "llamadesk-test" })) });
    } else if (req.method === "POST" && path === "/v1/chat/completions" && body) {
      await chat(body, res, fault);
    } else if (req.method === "POST" && path === "/v1/embeddings" && body && options.embedder) {
      await embeddings(body, res);
    } else {
      json(res, 404, { error: { message: `No route ${req.method} ${path}`, type: "not_found" } });
    }
  }

  async function chat(body: Record<string, unknown>, res: ServerResponse, fault: ServerFault | undefined): Promise<void> {
    const id = `chatcmpl-${requests.length}`;
    const model = String(body.model ?? models[0]);
    const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
      id,
      object: "chat.completion.chunk",
      created: 0,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, ...extra }],
    });
    const stops = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? (body.stop as string[]) : [];
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const stream = options.chatModel.stream(body.messages as ChatMessage[], {
      ...(typeof body.max_tokens === "number" ? { maxTokens: body.max_tokens } : typeof body.max_completion_tokens === "number" ? { maxTokens: body.max_completion_tokens } : {}),
      ...(typeof body.temperature === "number" ? { temperature: body.temperature } : {}),
      ...(typeof body.top_p === "number" ? { topP: body.top_p } : {}),
      ...(stops.length > 0 ? { stop: stops } : {}),
      ...(body.ignore_eos === true ? { ignoreEos: true } : {}),
      signal: controller.signal,
    });
    if (body.stream !== true) {
      let result: GenerationResult;
      for await (const _piece of stream);
      result = await stream.result;
      json(res, 200, {
        id,
        object: "chat.completion",
        created: 0,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: result.text }, finish_reason: finishReason(result) }],
        usage: usageOf(result),
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (data: unknown, written?: () => void) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`, written);
    if (fault && "events" in fault) {
      for (const line of fault.events) send(line);
      res.end();
      return;
    }
    send(chunk({ role: "assistant", content: "" }));
    let sent = 0;
    try {
      for await (const piece of stream) {
        if (fault && "stallAfter" in fault && sent === fault.stallAfter) return;
        sent++;
        if (fault && "cutAfter" in fault && sent === fault.cutAfter) {
          // Dropped once the pieces so far are on the wire, so the client has them before the connection goes.
          send(chunk({ content: piece }), () => res.socket?.destroy());
          return;
        }
        send(chunk({ content: piece }));
      }
    } catch {
      if (controller.signal.aborted) return;
      throw new Error("generation failed");
    }
    if (controller.signal.aborted) return;
    const result = await stream.result;
    // Like vLLM, name the stop string that ended the answer (the first asked for: the result does not say which).
    send(chunk({}, finishReason(result), { stop_reason: result.stopReason === "stop" ? (stops[0] ?? null) : null }));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) send({ id, object: "chat.completion.chunk", created: 0, model, choices: [], usage: usageOf(result) });
    send("[DONE]");
    res.end();
  }

  async function embeddings(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const input = typeof body.input === "string" ? [body.input] : (body.input as string[]);
    const vectors = await options.embedder!.embed(input);
    const encode = (v: number[]) => (body.encoding_format === "base64" ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v);
    const tokens = input.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0);
    json(res, 200, {
      object: "list",
      model: String(body.model ?? options.embedder!.id),
      data: vectors.map((v, index) => ({ object: "embedding", index, embedding: encode(v) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("startOpenAiCompatibleServer: no port");
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    script: (...more) => void faults.push(...more),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function finishReason(result: GenerationResult): string {
  return result.stopReason === "maxTokens" ? "length" : "stop";
}

function usageOf(result: GenerationResult) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.tokens,
    total_tokens: result.promptTokens + result.tokens,
    prompt_tokens_details: { cached_tokens: result.promptTokensReused },
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}
