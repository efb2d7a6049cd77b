import { request } from "undici";

/** What one HTTP GET of a crawl came to. */
export type FetchOutcome =
  | { kind: "ok"; url: string; status: number; contentType: string; body: Uint8Array; etag?: string; lastModified?: string }
  | { kind: "not-modified"; url: string }
  /** 404 or 410: the page is gone for good. */
  | { kind: "gone"; url: string; status: number }
  /** Worth trying again next time (5xx, 429, timeout, refused, too large): what was indexed stays. */
  | { kind: "failed"; url: string; reason: string };

export interface FetchOptions {
  /** Sent with every request (user agent, headers from the config). */
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  /** Validators of the copy we have, for a conditional request. */
  etag?: string;
  lastModified?: string;
  signal?: AbortSignal;
}

const STALE_CONNECTION = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/**
 * GET (undici's `request`: a crawl of 304s is bound by per-request cost, and it is about three times
 * cheaper than `fetch`) with redirects followed, a timeout over the whole exchange (headers and body),
 * and the body read only up to `maxBytes`: a huge page is cut off as soon as it is too big.
 */
export async function fetchPage(url: string, options: FetchOptions): Promise<FetchOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const stop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    return await get(url, options, controller.signal, () => timedOut);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
  }
}

async function get(url: string, options: FetchOptions, signal: AbortSignal, timedOut: () => boolean): Promise<FetchOutcome> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.etag) headers["if-none-match"] = options.etag;
  if (options.lastModified) headers["if-modified-since"] = options.lastModified;
  const failed = (at: string, error: unknown, what: string): FetchOutcome => {
    options.signal?.throwIfAborted();
    return { kind: "failed", url: at, reason: timedOut() ? `no ${what === "request" ? "" : "complete "}answer within ${options.timeoutMs} ms` : `${what} failed (${causeOf(error)})` };
  };
  let at = url;
  let response: Awaited<ReturnType<typeof request>> | undefined;
  for (let hops = 0, retried = false; !response; ) {
    try {
      response = await request(at, { method: "GET", headers, signal });
    } catch (error) {
      // A kept-alive connection the server closed just as it was reused: a GET is safe to send again once.
      if (!retried && !timedOut() && !signal.aborted && STALE_CONNECTION.has(causeOf(error))) {
        retried = true;
        continue;
      }
      return failed(at, error, "request");
    }
    const location = header(response.headers, "location");
    if (REDIRECTS.has(response.statusCode) && location) {
      await response.body.dump().catch(() => undefined);
      if (++hops > MAX_REDIRECTS) return { kind: "failed", url, reason: `more than ${MAX_REDIRECTS} redirects` };
      at = new URL(location, at).href;
      response = undefined;
    }
  }
  const { statusCode: status, body } = response;
  const discard = () => body.dump().catch(() => undefined);
  if (status === 304 || status === 404 || status === 410 || status < 200 || status > 299) {
    await discard();
    if (status === 304) return { kind: "not-modified", url: at };
    if (status === 404 || status === 410) return { kind: "gone", url: at, status };
    return { kind: "failed", url: at, reason: `HTTP ${status}` };
  }
  if (Number(header(response.headers, "content-length") ?? NaN) > options.maxBytes) {
    body.destroy();
    return { kind: "failed", url: at, reason: tooLarge(options.maxBytes) };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > options.maxBytes) {
        body.destroy();
        return { kind: "failed", url: at, reason: tooLarge(options.maxBytes) };
      }
      chunks.push(chunk);
    }
  } catch (error) {
    return failed(at, error, "reading the answer");
  }
  const etag = header(response.headers, "etag");
  const lastModified = header(response.headers, "last-modified");
  return { kind: "ok", url: at, status, contentType: header(response.headers, "content-type") ?? "", body: Buffer.concat(chunks, size), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/** The body as text, in the charset the server names (UTF-8 when it names none or one we do not know). */
export function decodeBody(body: Uint8Array, contentType: string): string {
  const charset = /charset="?([\w-]+)/i.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function tooLarge(maxBytes: number): string {
  return `larger than maxPageBytes (${maxBytes} bytes); raise maxPageBytes to index it`;
}

function causeOf(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  return e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
