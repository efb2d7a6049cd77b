import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "connectors/**/*.test.ts"],
    // The public-dataset suites run as their own command: npm run test:datasets (vitest.datasets.config.ts).
    exclude: [...configDefaults.exclude, "test/datasets/**"],
    // The browser tests' Chromium: installed from Debian when missing, or one line saying what to install.
    globalSetup: ["test/support/setupChromium.ts"],
    // Native addons (hnswlib-node, node-llama-cpp) are happiest in child processes.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
