// Bundles the widget (`npm run build` runs this after tsc): dist/widget/widget.js, the script-tag build that
// mounts itself, and dist/widget/widget.mjs, the side-effect-free ESM build behind `import "llamadesk/widget"`.
import { build } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../../../../dist/widget");
const common = { bundle: true, minify: true, target: ["es2020", "chrome90", "firefox90", "safari15"], legalComments: "none", logLevel: "warning" };

await Promise.all([
  build({ ...common, entryPoints: [resolve(here, "embed.ts")], format: "iife", outfile: resolve(out, "widget.js") }),
  build({ ...common, entryPoints: [resolve(here, "index.ts")], format: "esm", outfile: resolve(out, "widget.mjs") }),
]);
