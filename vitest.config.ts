import { configDefaults, defineConfig } from "vitest/config";
import { choosePostgresEngine } from "./test/support/postgres/choosePostgresEngine.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "connectors/**/*.test.ts"],
    // The public-dataset suites run as their own command: npm run test:datasets (vitest.datasets.config.ts).
    // On PGlite, the tests that need connections really running at once (*.server.test.ts) are left out: see test/support/postgres/testDatabase.ts.
    exclude: [...configDefaults.exclude, "test/datasets/**", ...(choosePostgresEngine().engine === "server" ? [] : ["**/*.server.test.ts"])],
    // The browser tests' Chromium: installed from Debian when missing, or one line saying what to install.
    // Then one PostgreSQL for the run when a test file imports test/support/postgres/testDatabase.js: a throwaway server, else PGlite.
    globalSetup: ["test/support/setupChromium.ts", "test/support/postgres/globalSetup.ts"],
    // Native addons (hnswlib-node, node-llama-cpp) are happiest in child processes.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
