import { LlamadeskError } from "../errors.js";
import type { PostgresTarget } from "./postgresTarget.js";

/** Socket errors that mean the server could not be reached at all. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ENOENT"]);

/** The SQLSTATE of a pg error (or of the pg error a LlamadeskError wraps). */
export function sqlStateOf(error: unknown): string | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Turns what pg throws into a LlamadeskError: DATABASE_UNREACHABLE when there is no working connection
 * (network, login, missing database, full server), INVALID_OPTION for text PostgreSQL cannot store,
 * STORE_FAILED for the rest. LlamadeskErrors pass through. Messages never hold the URL's password.
 */
export function toLlamadeskError(error: unknown, target: PostgresTarget): LlamadeskError {
  if (error instanceof LlamadeskError) return error;
  const raw = target.redact(error instanceof Error ? error.message : String(error));
  const code = (error as { code?: unknown } | undefined)?.code;
  const state = sqlStateOf(error);
  const unreachable = (message: string) => new LlamadeskError("DATABASE_UNREACHABLE", message, { cause: error });
  const { host, port, database, user, where } = target;

  if ((typeof code === "string" && NETWORK_CODES.has(code)) || /Connection terminated|connection timeout|Connection refused/i.test(raw)) {
    return unreachable(
      `Cannot reach PostgreSQL at ${host}:${port} (database ${database}): ${raw}. Check that the server is running and listens there (listen_addresses, port), that no firewall is in the way, and that the database URL's host and port are right.`,
    );
  }
  if (state === "28P01" || state === "28000") {
    return unreachable(`PostgreSQL at ${where} refused the login of user "${user || "(the OS user)"}": ${raw}. Check the user and password in the database URL, and that the server's pg_hba.conf lets this host in.`);
  }
  if (state === "3D000") {
    return unreachable(`PostgreSQL at ${host}:${port} has no database "${database}": create it (createdb ${database}), or fix the database URL.`);
  }
  if (state === "53300") {
    return unreachable(`PostgreSQL at ${where} has no free connection slot (${raw}): lower maxConnections on the bots sharing it, or raise the server's max_connections.`);
  }
  if (state === "57P01" || state === "57P02" || state === "57P03") {
    return unreachable(`PostgreSQL at ${where} is shutting down or starting up (${raw}): try again once it is running.`);
  }
  if (state === "22021" || state === "22P05") {
    return new LlamadeskError("INVALID_OPTION", `PostgreSQL cannot store this text (${raw}): it holds a NUL character (\\u0000). Remove it and try again.`, { cause: error });
  }
  if (/timeout exceeded when trying to connect/.test(raw)) {
    return new LlamadeskError(
      "STORE_FAILED",
      `No free connection to PostgreSQL at ${where} in time: every connection of the pool stayed busy. Raise maxConnections, or look for slow queries on the server.`,
      { cause: error },
    );
  }
  return new LlamadeskError("STORE_FAILED", `PostgreSQL at ${where} failed: ${raw}${state ? ` (SQLSTATE ${state})` : ""}.`, { cause: error });
}
