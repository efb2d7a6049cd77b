/** What the global setup hands the tests (vitest `provide`/`inject`, key "llamadeskPostgres"). */
export type ProvidedPostgres =
  /** A throwaway PostgreSQL cluster: tests create a database each through the superuser's URL. */
  | { engine: "server"; adminUrl: string }
  /** PGlite: tests start an instance each from the template tarball. `why` says why not a real server. */
  | { engine: "pglite"; template: string; why: string }
  /** No test file of the run imports test/support/postgres/testDatabase.js, so nothing was started. */
  | { engine: "none" };

declare module "vitest" {
  export interface ProvidedContext {
    llamadeskPostgres: ProvidedPostgres;
  }
}
