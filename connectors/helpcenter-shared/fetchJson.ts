import { LlamadeskError } from "../../src/errors.js";

export interface FetchJsonOptions {
  headers: Record<string, string>;
  /** Names the connector in errors, e.g. "zendesk-help-center". */
  connector: string;
  /** Names the credential in auth errors, e.g. "ZENDESK_API_TOKEN". */
  credential: string;
  signal?: AbortSignal;
  /** Longest single wait for a 429 before giving up with RATE_LIMITED. Defaults to 5 minutes. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_ATTEMPTS = 5;

/**
 * GET a help-center API's JSON: a 429 is waited out (`Retry-After` seconds, else `X-RateLimit-Reset`
 * as a Unix time, else a minute) and retried; 401/403 become SOURCE_AUTH_FAILED naming the
 * credential; anything else not OK fails the source (its docs stay as they were).
 */
export async function fetchJson<T>(url: string, options: FetchJsonOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { headers: { accept: "application/json", "user-agent": "llamadesk", ...options.headers }, ...(options.signal ? { signal: options.signal } : {}) });
    if (response.status === 429) {
      await response.body?.cancel();
      const wait = retryWait(response);
      if (attempt >= MAX_ATTEMPTS || wait > (options.maxWaitMs ?? 300_000)) {
        throw new LlamadeskError("RATE_LIMITED", `${options.connector}: the API kept answering 429 (rate limited); nothing was changed, sync again later`);
      }
      await sleep(wait);
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new LlamadeskError("SOURCE_AUTH_FAILED", `${options.connector}: the API refused the credentials in ${options.credential} (HTTP ${response.status}): check the variable's value and that it may read articles`);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw new LlamadeskError("SOURCE_FAILED", `${options.connector}: ${new URL(url).pathname} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    }
    return (await response.json()) as T;
  }
}

function retryWait(response: Response): number {
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter !== null && Number.isFinite(Number(retryAfter))) return Number(retryAfter) * 1000;
  const reset = Number(response.headers.get("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - Date.now());
  return 60_000;
}
