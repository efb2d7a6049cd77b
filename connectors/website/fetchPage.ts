const STALE_CONNECTION = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

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

/**
 * GET with redirects followed, a timeout over the whole exchange (headers and body), and the body
 * read only up to `maxBytes`: a huge page is cut off as soon as it is too big, not downloaded.
 */
export async function fetchPage(url: string, options: FetchOptions): Promise<FetchOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...options.headers };
  if (options.etag) headers["if-none-match"] = options.etag;
  if (options.lastModified) headers["if-modified-since"] = options.lastModified;
  let response: Response | undefined;
  for (let attempt = 1; !response; attempt++) {
    try {
      response = await fetch(url, { headers, redirect: "follow", signal });
    } catch (error) {
      options.signal?.throwIfAborted();
      // A kept-alive connection the server closed just as it was reused: a GET is safe to send again once.
      if (attempt === 1 && !timeout.aborted && STALE_CONNECTION.has(causeOf(error))) continue;
      return { kind: "failed", url, reason: timeout.aborted ? `no answer within ${options.timeoutMs} ms` : `request failed (${causeOf(error)})` };
    }
  }
  const finalUrl = response.url || url;
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: "not-modified", url: finalUrl };
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return { kind: "gone", url: finalUrl, status: response.status };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { kind: "failed", url: finalUrl, reason: `HTTP ${response.status}` };
  }
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    return { kind: "failed", url: finalUrl, reason: tooLarge(options.maxBytes) };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > options.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        return { kind: "failed", url: finalUrl, reason: tooLarge(options.maxBytes) };
      }
      chunks.push(chunk);
    }
  } catch (error) {
    options.signal?.throwIfAborted();
    return { kind: "failed", url: finalUrl, reason: timeout.aborted ? `no complete answer within ${options.timeoutMs} ms` : `reading the answer failed (${causeOf(error)})` };
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const etag = response.headers.get("etag");
  const lastModified = response.headers.get("last-modified");
  return { kind: "ok", url: finalUrl, status: response.status, contentType: response.headers.get("content-type") ?? "", body, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
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

function tooLarge(maxBytes: number): string {
  return `larger than maxPageBytes (${maxBytes} bytes); raise maxPageBytes to index it`;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
