import { randomBytes, timingSafeEqual } from "node:crypto";

/** One signed-in browser: its CSRF token (sent back by the console's scripts) and when it ends (ms since the epoch). */
export interface AdminSession {
  csrf: string;
  expiresAt: number;
}

export interface AdminSessionsOptions {
  /** How long a sign-in lasts. Defaults to 12 hours. */
  ttlMs?: number;
  /** Clock in milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

/** Admin console sessions, in this process: a restart signs everyone out (the token signs them in again). */
export class AdminSessions {
  private readonly sessions = new Map<string, AdminSession>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: AdminSessionsOptions = {}) {
    this.ttlMs = options.ttlMs ?? 12 * 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** A new session: its id (for the cookie) and CSRF token, both 256 random bits. */
  create(): { id: string; session: AdminSession } {
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
    const id = randomBytes(32).toString("base64url");
    const session = { csrf: randomBytes(32).toString("base64url"), expiresAt: now + this.ttlMs };
    this.sessions.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): AdminSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session || session.expiresAt <= this.now()) return undefined;
    return session;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  get ttlSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }
}

/** Compares two secrets in constant time (for their length). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
