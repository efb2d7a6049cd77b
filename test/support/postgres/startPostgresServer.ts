import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface PostgresServer {
  /** The superuser's URL (trust on loopback, no password), database `postgres`. */
  adminUrl: string;
  /** Stops the server (fast shutdown) and deletes its directory. */
  stop(): Promise<void>;
}

/** Durability off: the cluster is thrown away, and the tests are faster for it. */
const SETTINGS = ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200", "listen_addresses=127.0.0.1", "unix_socket_directories="];

/**
 * `initdb`s a throwaway cluster in a temp directory and starts it on a free loopback port. As root, both run
 * as the `postgres` OS user (initdb refuses root), which owns the directory. The server is this process's
 * child: on a crash of this process it is shut down immediately and the directory removed at exit, best effort.
 */
export async function startPostgresServer(bin: string): Promise<PostgresServer> {
  const owner = process.getuid?.() === 0 ? postgresUser() : {};
  const dir = mkdtempSync(join(tmpdir(), "llamadesk-pg-"));
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  let child: ChildProcess | undefined;
  const cleanUp = () => {
    child?.kill("SIGQUIT");
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanUp);
  try {
    const data = join(dir, "data");
    const init = spawnSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], { ...owner, cwd: dir, encoding: "utf8" });
    if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? `exit code ${init.status}`}): ${init.stderr.trim()}`);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = join(dir, `postgres-${attempt}.log`);
      const logFd = openSync(log, "w");
      child = spawn(join(bin, "postgres"), ["-D", data, "-p", String(port), ...SETTINGS.flatMap((s) => ["-c", s])], { ...owner, cwd: dir, stdio: ["ignore", logFd, logFd] });
      closeSync(logFd);
      const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
      const started = await waitUntilReady(child, adminUrl);
      if (started === "ready") {
        const running = child;
        return {
          adminUrl,
          stop: async () => {
            process.off("exit", cleanUp);
            if (running.exitCode === null && running.signalCode === null) {
              const exited = new Promise((resolve) => running.once("exit", resolve));
              running.kill("SIGINT");
              await exited;
            }
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      const output = readFileSync(log, "utf8").trim();
      // Another process took the port between freePort() and the server binding it: take another.
      if (/could not bind|already in use/i.test(output) && attempt < 3) continue;
      throw new Error(`PostgreSQL (${bin}) did not start: ${output.split("\n").slice(-5).join(" | ")}`);
    }
  } catch (error) {
    cleanUp();
    process.off("exit", cleanUp);
    throw error;
  }
}

/** Connects until the server answers ("ready"), or it exits ("exited"); a server silent for a minute is stopped. */
async function waitUntilReady(child: ChildProcess, url: string): Promise<"ready" | "exited"> {
  let exited = child.exitCode !== null;
  child.once("exit", () => (exited = true));
  child.once("error", () => (exited = true));
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    if (exited) return "exited";
    if (Date.now() > giveUpAt) {
      child.kill("SIGQUIT");
      return "exited";
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return "ready";
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function postgresUser(): { uid?: number; gid?: number } {
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
