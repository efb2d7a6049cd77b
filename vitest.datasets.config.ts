import { configDefaults, defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// `npm run test:datasets`: the suites that measure quality on the public datasets (../shared/datasets beside
// the checkout, or the folder LLAMADESK_DATASETS names). `npm test` leaves them out: it needs nothing outside
// the repository. Only the datasets check runs first, not the default suite's global setups.
export default defineConfig({
  test: {
    ...base.test,
    include: ["test/datasets/**/*.test.ts"],
    exclude: configDefaults.exclude,
    globalSetup: ["test/datasets/requireDatasets.ts"],
  },
});
