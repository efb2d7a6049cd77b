// Module loader hooks for worker threads started from TypeScript source (the test suite runs
// src/ without a build; the built package never loads this file). `./x.js` resolves to `./x.ts`
// when only the source exists, and `.ts` files are transpiled, types stripped, as tsc would.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

let typescriptUrl;
let typescript;

export function initialize(data) {
  typescriptUrl = data.typescript;
}

export async function resolve(specifier, context, nextResolve) {
  if (/^(\.{1,2}\/|\/|file:)/.test(specifier) && specifier.endsWith(".js") && context.parentURL) {
    const url = new URL(specifier, context.parentURL);
    const ts = new URL(url.href.replace(/\.js$/, ".ts"));
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith(".ts")) return nextLoad(url, context);
  typescript ??= (await import(typescriptUrl)).default;
  const fileName = fileURLToPath(url);
  const { outputText } = typescript.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
