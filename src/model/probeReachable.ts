import { LlamadeskError } from "../errors.js";

export interface ProbeReachableOptions {
  /** Any URL on the host to check; only its origin is contacted. */
  url: string;
  /** How long connecting and getting the first response may take. */
  timeoutMs: number;
  signal?: AbortSignal;
}

// Failures that mean "no route to the internet" rather than "this host has a problem".
const OFFLINE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * One HEAD request to the origin of `url` with a hard deadline. node-llama-cpp's downloader retries a
 * failed connection about 150 times with back-off (a quarter of an hour), so an offline machine would
 * sit silently; this check makes it fail within `timeoutMs` instead. Any HTTP answer, even 404, counts
 * as reachable: whether the file exists is the download's business.
 */
export async function probeReachable(options: ProbeReachableOptions): Promise<void> {
  const origin = new URL(options.url).origin;
  try {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const response = await fetch(`${origin}/`, { method: "HEAD", redirect: "manual", signal });
    await response.body?.cancel();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const code = errorCode(error);
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    const reason = timedOut
      ? `no answer within ${formatSeconds(options.timeoutMs)}`
      : code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? "the host name does not resolve"
          : (code ?? innermostMessage(error));
    const offline = timedOut || (code !== undefined && OFFLINE_CODES.has(code));
    throw new LlamadeskError(
      "MODEL_SOURCE_UNREACHABLE",
      `Cannot reach ${origin} (${reason})${offline ? ": this machine seems to have no internet access" : ""}. ` +
        "Download the GGUF file on a machine that has access (`llamadesk pull` there, or a browser), copy it here, " +
        "and pass --model PATH or set LLAMADESK_MODEL=PATH.",
      { cause: error },
    );
  }
}

function errorCode(error: unknown): string | undefined {
  // fetch wraps socket errors: TypeError("fetch failed", { cause: { code } }), sometimes one level deeper.
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
