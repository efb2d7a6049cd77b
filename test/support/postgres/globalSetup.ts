import { mkdtemp, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { choosePostgresEngine } from "./choosePostgresEngine.js";
import { writePgliteTemplate } from "./pgliteDatabase.js";
import "./ProvidedPostgres.js";
import { startPostgresServer } from "./startPostgresServer.js";

/**
 * Global setup of the vitest run: when a test file of the run uses the PostgreSQL harness (imports
 * test/support/postgres/testDatabase.ts), starts ONE engine for the whole run and provides how to reach it; see
 * testDatabase.ts. With LLAMADESK_TEST_POSTGRES=server and no server, ends the run with one line saying
 * what to install (it exits rather than throws, so that line is all that is printed).
 */
export default async function setupPostgres(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!project.vitest.state.getPaths().some(usesPostgres)) {
    project.provide("llamadeskPostgres", { engine: "none" });
    return undefined;
  }
  const choice = choosePostgresEngine();
  if (choice.engine === "unavailable") fail(choice.message);
  if (choice.engine === "server") {
    const server = await startPostgresServer(choice.bin).catch((error: Error) => fail(`The PostgreSQL tests need a throwaway server, and it failed: ${error.message}`));
    project.provide("llamadeskPostgres", { engine: "server", adminUrl: server.adminUrl });
    return () => server.stop();
  }
  process.stderr.write(
    `PostgreSQL tests run on PGlite (${choice.why}); the files that need a real server (*.server.test.ts) are left out of this run. Install PostgreSQL and pgvector to run them, as CI does.\n`,
  );
  const dir = await mkdtemp(join(tmpdir(), "llamadesk-pglite-"));
  const template = join(dir, "template.tar");
  await writePgliteTemplate(template);
  project.provide("llamadeskPostgres", { engine: "pglite", template, why: choice.why });
  return () => rm(dir, { recursive: true, force: true });
}

/** Files that use the harness import it directly, so a look at their text finds them before they run. */
function usesPostgres(file: string): boolean {
  return readFileSync(file, "utf8").includes("support/postgres/testDatabase.js");
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
