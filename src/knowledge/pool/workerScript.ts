import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Where a worker thread's entry module is, and the Node options it needs to run. */
export interface WorkerScript {
  url: URL;
  execArgv?: string[];
}

/**
 * A module next to `base` (`import.meta.url` of the caller), as a worker thread can load it.
 *
 * From the built package that is the compiled `.js` file beside the caller. Run from TypeScript
 * source (the test suite runs `src/` directly, with no build), the worker gets loader hooks that
 * transpile `.ts` on the fly with the `typescript` dev dependency, which is installed wherever the
 * source is.
 */
export function workerScript(relativeJs: string, base: string): WorkerScript {
  const url = new URL(relativeJs, base);
  if (!base.endsWith(".ts") || existsSync(fileURLToPath(url))) return { url };
  const hooks = new URL("./typescriptHooks.mjs", import.meta.url).href;
  const typescript = pathToFileURL(createRequire(base).resolve("typescript")).href;
  const register = `import { register } from "node:module"; register(${JSON.stringify(hooks)}, { data: { typescript: ${JSON.stringify(typescript)} } });`;
  return { url: new URL(url.href.replace(/\.js$/, ".ts")), execArgv: ["--import", `data:text/javascript,${encodeURIComponent(register)}`] };
}
