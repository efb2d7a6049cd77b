import { describe, expect, it } from "vitest";
import { choosePostgresEngine } from "../support/postgres/choosePostgresEngine.js";

// How a run picks the engine of its PostgreSQL tests (the vitest config and the global setup ask this).
describe("choosePostgresEngine", () => {
  const installed = () => ({ bin: "/usr/lib/postgresql/15/bin" });
  const absent = () => ({ missing: "PostgreSQL in /usr/lib/postgresql/15/bin has no pgvector (/usr/share/postgresql/15/extension/vector.control is missing)" });

  it("takes the real server when installed, PGlite otherwise, saying why", () => {
    expect(choosePostgresEngine({}, installed)).toEqual({ engine: "server", bin: "/usr/lib/postgresql/15/bin" });
    expect(choosePostgresEngine({}, absent)).toEqual({ engine: "pglite", why: expect.stringContaining("no PostgreSQL server here: PostgreSQL in /usr/lib/postgresql/15/bin has no pgvector") });
  });

  it("uses PGlite when told to, even with a server installed", () => {
    expect(choosePostgresEngine({ LLAMADESK_TEST_POSTGRES: "pglite" }, installed)).toEqual({ engine: "pglite", why: "LLAMADESK_TEST_POSTGRES=pglite" });
  });

  it("requires the server when told to: one line naming what is missing and what to install", () => {
    expect(choosePostgresEngine({ LLAMADESK_TEST_POSTGRES: "server" }, installed)).toEqual({ engine: "server", bin: "/usr/lib/postgresql/15/bin" });
    const missing = choosePostgresEngine({ LLAMADESK_TEST_POSTGRES: "server" }, absent);
    expect(missing).toEqual({ engine: "unavailable", message: expect.stringMatching(/^LLAMADESK_TEST_POSTGRES=server, but PostgreSQL in .* has no pgvector .*: install PostgreSQL and pgvector/) });
    expect(missing.engine === "unavailable" && missing.message.includes("\n")).toBe(false);
  });

  it("refuses any other value", () => {
    expect(choosePostgresEngine({ LLAMADESK_TEST_POSTGRES: "sqlite" }, installed)).toEqual({ engine: "unavailable", message: 'LLAMADESK_TEST_POSTGRES must be "server", "pglite" or unset (got "sqlite").' });
  });
});
