import { setTimeout as sleep } from "node:timers/promises";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { LlamadeskError } from "../errors.js";

export interface OpenAiEndpointOptions {
  /** The server's OpenAI-compatible base URL, ending in `/v1` (e.g. `http://127.0.0.1:8000/v1`). */
  baseUrl: string;
  /** The API key, sent as `Authorization: Bearer <key>` (or in `apiKeyHeader`). Defaults to none: no key is sent. */
  apiKey?: string | undefined;
  /** Where the key goes instead of `Authorization: Bearer`, e.g. `api-key` for Azure OpenAI's older endpoints. Defaults to `Authorization`. */
  apiKeyHeader?: string | undefined;
  /** The environment variable the key came from, named in errors. Defaults to none. */
  apiKeyEnv?: string | undefined;
  /** Headers sent with every request. Defaults to none. */
  headers?: Record<string, string> | undefined;
  /** Query parameters sent with every request, e.g. `{ "api-version": "2024-10-21" }` for Azure. Defaults to none. */
  query?: Record<string, string> | undefined;
  /** How long the server may take to start answering a request, and then between two pieces of a streamed answer, in ms. Defaults to 120000. */
  timeoutMs?: number | undefined;
  /** Retries of a request that failed with 408/409/429/5xx or could not connect, with exponential backoff or the server's `Retry-After`. Defaults to 3. */
  maxRetries?: number | undefined;
  /** The longest wait between retries; a server asking for more (`Retry-After`) fails at once with MODEL_RATE_LIMITED. Defaults to 60000. */
  maxRetryWaitMs?: number | undefined;
}

const RETRYABLE = new Set([408, 409, 429]);

/**
 * One OpenAI-compatible server, as the chat model and the embedder both use it: the `openai` client set up
 * for it (nothing read from OPENAI_* variables), retries with backoff that honour `Retry-After` and stop on abort,
 * and the client's errors turned into coded ones that say what to check.
 */
export class OpenAiEndpoint {
  readonly client: OpenAI;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;

  constructor(readonly options: OpenAiEndpointOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new LlamadeskError("INVALID_OPTION", `The model server URL ${JSON.stringify(options.baseUrl)} is not a URL; give its base URL, e.g. http://127.0.0.1:8000/v1.`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new LlamadeskError("INVALID_OPTION", `The model server URL ${options.baseUrl} must start with http:// or https://.`);
    }
    for (const [field, value, least] of [["timeoutMs", options.timeoutMs, 1], ["maxRetries", options.maxRetries, 0], ["maxRetryWaitMs", options.maxRetryWaitMs, 0]] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= least)) {
        throw new LlamadeskError("INVALID_OPTION", `${field} must be a whole number of at least ${least}, got ${JSON.stringify(value)}.`);
      }
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 60_000;
    const keyHeader = options.apiKeyHeader ?? "Authorization";
    const auth: Record<string, string | null> =
      options.apiKey === undefined
        ? { Authorization: null }
        : keyHeader.toLowerCase() === "authorization"
          ? {}
          : { [keyHeader]: options.apiKey, Authorization: null };
    this.client = new OpenAI({
      baseURL: this.baseUrl,
      // The client insists on a key; with none, the Authorization header is removed above instead.
      apiKey: options.apiKey ?? "none",
      organization: null,
      project: null,
      adminAPIKey: null,
      defaultHeaders: { ...options.headers, ...auth },
      ...(options.query ? { defaultQuery: options.query } : {}),
      timeout: this.timeoutMs,
      // Retries are ours: the client's sleep ignores the abort signal and any Retry-After, however long.
      maxRetries: 0,
    });
  }

  /** `scheme://host[:port]/path` of the server, for ids and messages. */
  get where(): string {
    const url = new URL(this.baseUrl);
    return `${url.host}${url.pathname.replace(/\/+$/, "")}`;
  }

  /**
   * Runs `request`, retrying what a retry can fix. Errors come out coded (see `toModelError`); an abort
   * throws `signal.reason` at once, also during a wait.
   */
  async withRetries<T>(what: string, request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (signal?.aborted) throw signal.reason;
        return await request();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof LlamadeskError) throw error;
        const wait = retryWaitMs(error, attempt);
        if (wait === undefined || attempt >= this.maxRetries) throw this.toModelError(error, what, attempt);
        if (wait > this.maxRetryWaitMs) throw this.toModelError(error, what, attempt, wait);
        await sleep(wait, undefined, signal ? { signal } : {}).catch(() => {
          throw signal!.reason;
        });
      }
    }
  }

  /** The client's error as a coded one that says what to check. */
  toModelError(error: unknown, what: string, retries = 0, askedWaitMs?: number): LlamadeskError {
    if (error instanceof LlamadeskError) return error;
    const at = `${what} at ${this.baseUrl}`;
    const tried = retries > 0 ? ` (after ${retries} ${retries === 1 ? "retry" : "retries"})` : "";
    if (error instanceof APIConnectionTimeoutError) {
      return new LlamadeskError(
        "MODEL_UNREACHABLE",
        `${at}: no answer within ${seconds(this.timeoutMs)}${tried}. Check that the server is running and not overloaded, or allow more time (timeoutMs).`,
        { cause: error },
      );
    }
    if (error instanceof APIConnectionError && !(error instanceof APIUserAbortError)) {
      return new LlamadeskError(
        "MODEL_UNREACHABLE",
        `Cannot reach ${at} (${connectionReason(error)})${tried}. Check the URL (host, port, and the /v1 at the end) and that the server is running.`,
        { cause: error },
      );
    }
    if (error instanceof APIError && typeof error.status === "number") {
      const status = error.status;
      const said = serverMessage(error);
      if (status === 401 || status === 403) {
        const key = this.options.apiKey === undefined
          ? `No API key was sent: name the variable that holds it (--model-key-env / apiKeyEnv)${this.options.apiKeyEnv ? ` and set ${this.options.apiKeyEnv}` : ""}.`
          : `Check that ${this.options.apiKeyEnv ?? "the API key"} holds a valid key for this server${status === 403 ? " with access to this model" : ""}.`;
        return new LlamadeskError("MODEL_AUTH_FAILED", `${at} refused the request (${status}${said}). ${key}`, { cause: error });
      }
      if (status === 429) {
        const wait = askedWaitMs === undefined ? "" : `; it asked to wait ${seconds(askedWaitMs)}, longer than maxRetryWaitMs`;
        return new LlamadeskError(
          "MODEL_RATE_LIMITED",
          `${at} is rate limiting requests (429${said})${tried}${wait}. Wait and try again, lower the load, or raise the server's or account's limits.`,
          { cause: error },
        );
      }
      if (status === 400 && /context|too long|too many tokens|maximum.*tokens|max_tokens/i.test(said)) {
        return new LlamadeskError("PROMPT_TOO_LONG", `${at} says the prompt does not fit (400${said}). Use fewer retrieved passages, lower maxTokens, or a model with a longer context.`, { cause: error });
      }
      const check =
        status === 404
          ? "Check the URL (it ends in /v1) and the model name (--model-name): GET /v1/models lists what the server serves."
          : status >= 500
            ? "The server failed: check its log."
            : "Check the model name, and that this server speaks the OpenAI API.";
      return new LlamadeskError("MODEL_BAD_RESPONSE", `${at} failed with HTTP ${status}${said}${tried}. ${check}`, { cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new LlamadeskError(
      "MODEL_BAD_RESPONSE",
      `${at} sent an answer llamadesk cannot read (${message}). Check that the URL points at an OpenAI-compatible API (…/v1) and the server's log.`,
      { cause: error },
    );
  }
}

/** How long to wait before retrying `error`, or undefined when a retry cannot help. */
function retryWaitMs(error: unknown, attempt: number): number | undefined {
  if (error instanceof APIUserAbortError) return undefined;
  if (error instanceof APIConnectionError) return backoffMs(attempt);
  if (!(error instanceof APIError) || typeof error.status !== "number") return undefined;
  if (!(RETRYABLE.has(error.status) || error.status >= 500)) return undefined;
  return retryAfterMs(error.headers) ?? backoffMs(attempt);
}

/** `retry-after-ms` (OpenAI's) or `Retry-After` in seconds or as a date. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const secs = Number.parseFloat(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** 0.5 s, 1 s, 2 s, … up to 8 s, less up to a quarter at random so replicas do not retry in step. */
function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : typeof error.error === "string" ? error.error : "";
  return text ? `: ${text.slice(0, 300)}` : "";
}

function connectionReason(error: APIConnectionError): string {
  for (let e: unknown = error.cause; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === "ECONNREFUSED") return "connection refused";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name does not resolve";
    if (typeof code === "string") return code;
  }
  return error.message;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
