import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./HttpError.js";
import type { RateLimiter } from "./RateLimiter.js";
import type { WebEnv } from "./WebEnv.js";

/**
 * Whether a page at an origin may call the API: one of `origins` (or `"*"` is), or one of the server's own (`own()`:
 * its public URL, where it listens). Never the request's `Host` header: a page on a name the attacker points at this
 * server (DNS rebinding) sends a matching one. Scheme, host and port must all match.
 */
export function originPolicy(origins: readonly string[], own: () => readonly string[]): (origin: string) => boolean {
  return (origin) => origins.includes("*") || origins.includes(origin) || own().includes(origin);
}

/**
 * Refuses browser requests from pages not on the allowlist (403), preflights included. CORS headers alone would
 * only hide the answer from such a page; this stops the question reaching the model at all.
 */
export function originGuard(isAllowed: (origin: string) => boolean): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !c.get("trusted") && !isAllowed(origin)) {
      throw new HttpError(403, "ORIGIN_NOT_ALLOWED", `Pages at ${origin} may not use this API: add the origin to web.origins in the server's config.`);
    }
    await next();
  };
}

/**
 * The optional API key for server-to-server calls, as `Authorization: Bearer <key>`. A right key marks the request
 * trusted (no origin check, no per-address limit: one backend speaks for many customers); a wrong one is refused (401),
 * and so is a missing one when `required`.
 */
export function apiKeyGuard(apiKey: string | undefined, required: boolean): MiddlewareHandler<WebEnv> {
  const expected = apiKey === undefined ? undefined : digest(apiKey);
  return async (c, next) => {
    const header = c.req.header("authorization");
    c.set("trusted", false);
    if (header !== undefined) {
      const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
      if (expected === undefined || given === undefined || !timingSafeEqual(digest(given), expected)) {
        throw new HttpError(401, "API_KEY_INVALID", "The API key is wrong (send it as Authorization: Bearer <key>, the value of the variable web.apiKeyEnv names).");
      }
      c.set("trusted", true);
    } else if (required) {
      throw new HttpError(401, "API_KEY_INVALID", "This server requires an API key: send Authorization: Bearer <key>.");
    }
    await next();
  };
}

/** Sets `ip`: the socket's address, or the first `X-Forwarded-For` address when the server is behind a trusted proxy. */
export function clientIp(trustProxy: boolean): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const forwarded = trustProxy ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
    c.set("ip", forwarded || c.env?.incoming?.socket?.remoteAddress || "unknown");
    await next();
  };
}

/** One token per request from the client's address; trusted (API key) requests are not limited. */
export function perIpLimit(limiter: RateLimiter): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (!c.get("trusted")) await checkRate(limiter, `ip:${c.get("ip")}`, "from your address");
    await next();
  };
}

/** 429 with Retry-After when the bucket for `key` is empty. */
export async function checkRate(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const decision = await limiter.take(key);
  if (!decision.ok) {
    throw new HttpError(429, "RATE_LIMITED", `Too many requests ${what}: try again in ${decision.retryAfterSeconds} s.`, {
      "Retry-After": String(decision.retryAfterSeconds),
    });
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
