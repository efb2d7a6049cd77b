import { readFile, writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * Connections one PGlite socket server accepts. The server multiplexes them onto PGlite's one session
 * (see testDatabase.ts); past this many, a new connection is refused and pg reports "read ECONNRESET".
 * Enough for the pools a test file opens (openPostgres defaults to 10 connections).
 */
export const PGLITE_MAX_CONNECTIONS = 64;

export interface PgliteDatabase {
  /** postgresql://postgres@127.0.0.1:<port>/postgres. PGlite ignores the database name a connection asks for. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Writes a PGlite data directory with the vector extension created, as a tarball: starting an instance
 * from it takes about 2 s where a fresh one (initdb in WebAssembly) takes about 8.
 */
export async function writePgliteTemplate(file: string): Promise<void> {
  const db = await PGlite.create({ extensions: { vector } });
  try {
    await db.exec("CREATE EXTENSION vector");
    const dump = await db.dumpDataDir("none");
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await db.close();
  }
}

/** A PGlite instance of its own, from the template, behind a socket server on a free loopback port. */
export async function startPgliteDatabase(template: string): Promise<PgliteDatabase> {
  const db = await PGlite.create({ extensions: { vector }, loadDataDir: new Blob([await readFile(template)]) });
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: PGLITE_MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
