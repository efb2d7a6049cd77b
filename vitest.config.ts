import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "connectors/**/*.test.ts"],
    // Native addons (hnswlib-node, node-llama-cpp) are happiest in child processes.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
