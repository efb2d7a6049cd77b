import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { LlamadeskError } from "../errors.js";
import type { ConnectorDefinition } from "./ConnectorDefinition.js";

/** `connectors/` beside `src/` (also in `dist/`, where both are compiled). */
const CONNECTORS_DIR = new URL("../../connectors/", import.meta.url);

/** Names of the connectors shipped in `connectors/<name>/`. */
export async function listConnectors(): Promise<string[]> {
  const entries = await readdir(fileURLToPath(CONNECTORS_DIR), { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && /^[a-z0-9-]+$/.test(e.name) && !e.name.endsWith("-shared")).map((e) => e.name).sort();
}

/** Loads `connectors/<name>/index.js` and returns its `definition`; an unknown name lists the known ones. */
export async function loadConnectorDefinition(name: string): Promise<ConnectorDefinition> {
  const known = await listConnectors();
  if (!known.includes(name)) {
    throw new LlamadeskError("SOURCE_CONFIG_INVALID", `Unknown connector "${name}". Known connectors: ${known.join(", ")}.`);
  }
  const module = (await import(new URL(`${name}/index.js`, CONNECTORS_DIR).href)) as { definition?: ConnectorDefinition };
  if (!module.definition) {
    throw new LlamadeskError("SOURCE_CONFIG_INVALID", `The connector "${name}" cannot be used by sync (connectors/${name}/index.ts exports no \`definition\`).`);
  }
  return module.definition;
}
