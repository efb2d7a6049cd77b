import { LlamadeskError } from "../errors.js";

/** Where a database URL points, for messages: everything but the password. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  /** Empty when the URL names none (the server then takes the OS user's name). */
  user: string;
  /** `host:port/database`: what messages name. */
  where: string;
  /** Hides the URL's password wherever it may appear in a message from pg or the server. */
  redact(text: string): string;
}

/**
 * Reads a `postgres://` or `postgresql://` URL the way pg does (host from `?host=` for a Unix socket,
 * port 5432, database named like the user when the path is empty). Never puts the URL itself in an
 * error: it may hold a password.
 */
export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL | undefined;
  try {
    if (typeof url === "string") parsed = new URL(url);
  } catch {
    // reported below, without the URL
  }
  if (!parsed || (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")) {
    throw new LlamadeskError(
      "INVALID_OPTION",
      `The database URL must look like postgresql://user:password@host:5432/database (got ${typeof url === "string" ? "a string that is not one" : typeof url}).`,
    );
  }
  const user = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  const host = parsed.searchParams.get("host") ?? (parsed.hostname ? safeDecode(parsed.hostname) : "localhost");
  const port = Number(parsed.port || parsed.searchParams.get("port") || 5432);
  const database = safeDecode(parsed.pathname.replace(/^\//, "")) || user || "postgres";
  const secrets = [password, parsed.password].filter((s) => s !== "");
  return {
    host,
    port,
    database,
    user,
    where: `${host}:${port}/${database}`,
    redact: (text) => secrets.reduce((out, secret) => out.split(secret).join("***"), text),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
