import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** What the PostgreSQL tests of a run talk to (see testDatabase.ts). */
export type PostgresEngineChoice =
  /** A throwaway cluster of the PostgreSQL whose binaries are in `bin`. */
  | { engine: "server"; bin: string }
  /** PGlite behind its socket server; `why` says why not a real server, for the run's notice. */
  | { engine: "pglite"; why: string }
  /** LLAMADESK_TEST_POSTGRES=server and no usable server: `message` is the one line to print. */
  | { engine: "unavailable"; message: string };

export const ENGINE_VARIABLE = "LLAMADESK_TEST_POSTGRES";

/**
 * `LLAMADESK_TEST_POSTGRES=server` requires a real PostgreSQL with pgvector, `pglite` forces PGlite, unset
 * takes the real server when this machine has one and PGlite otherwise. Cheap (a few file checks), so the
 * vitest config and the global setup both call it and agree.
 */
export function choosePostgresEngine(env: NodeJS.ProcessEnv = process.env, findServer = findPostgresServer): PostgresEngineChoice {
  const wanted = env[ENGINE_VARIABLE]?.trim() ?? "";
  if (wanted !== "" && wanted !== "server" && wanted !== "pglite") {
    return { engine: "unavailable", message: `${ENGINE_VARIABLE} must be "server", "pglite" or unset (got ${JSON.stringify(wanted)}).` };
  }
  if (wanted === "pglite") return { engine: "pglite", why: `${ENGINE_VARIABLE}=pglite` };
  const server = findServer();
  if ("bin" in server) return { engine: "server", bin: server.bin };
  if (wanted === "server") {
    return {
      engine: "unavailable",
      message: `${ENGINE_VARIABLE}=server, but ${server.missing}: install PostgreSQL and pgvector (on Debian: apt-get install postgresql postgresql-server-dev-15, then build pgvector as .ci/run does), or unset ${ENGINE_VARIABLE} to test on PGlite.`,
    };
  }
  return { engine: "pglite", why: `no PostgreSQL server here: ${server.missing}` };
}

/** The bin directory of an installed PostgreSQL whose share directory has pgvector, or what is missing. */
export function findPostgresServer(): { bin: string } | { missing: string } {
  const candidates = [pgConfig("pg_config", "--bindir"), ...debianBinDirs()].filter((dir): dir is string => dir !== undefined);
  const bin = candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")));
  if (!bin) return { missing: "no PostgreSQL server binaries (initdb, postgres) were found (pg_config --bindir, /usr/lib/postgresql/*/bin)" };
  const share = pgConfig(join(bin, "pg_config"), "--sharedir") ?? pgConfig("pg_config", "--sharedir");
  if (!share || !existsSync(join(share, "extension", "vector.control"))) {
    return { missing: `PostgreSQL in ${bin} has no pgvector (${share ? join(share, "extension", "vector.control") : "its share directory"} is missing)` };
  }
  if (process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0) {
    return { missing: "the tests run as root and there is no postgres user to run the server as (initdb refuses root)" };
  }
  return { bin };
}

function pgConfig(command: string, flag: string): string | undefined {
  const run = spawnSync(command, [flag], { encoding: "utf8" });
  return run.status === 0 && run.stdout.trim() ? run.stdout.trim() : undefined;
}

/** Debian's /usr/lib/postgresql/<version>/bin, newest version first. */
function debianBinDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, "bin"));
}
