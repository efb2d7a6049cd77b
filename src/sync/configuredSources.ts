import { readEnvVariable } from "../config.js";
import { LlamadeskError } from "../errors.js";
import type { Connector } from "../types.js";
import type { ConnectorDefinition } from "./ConnectorDefinition.js";
import { loadConnectorDefinition } from "./connectorRegistry.js";

/** One `sources` entry of the config file, checked and ready to build its connector. */
export interface ConfiguredSource {
  /** The entry's `name`, else its connector's name (numbered when several entries use one connector). Keys the saved sync state. */
  name: string;
  connector: string;
  /**
   * Builds the connector. Throws a coded error for a problem only the run can see (a credential
   * variable that is unset), so one source failing does not stop the others.
   */
  create(): Connector;
}

export interface ConfiguredSourcesOptions {
  /** For error messages: "llamadesk.config.json". */
  configPath: string;
  /** Relative paths in options resolve against it (the config file's directory). */
  baseDir: string;
  /** Reads credential variables. Defaults to the process environment. */
  env?: (name: string) => string | undefined;
  /** Finds a connector by name. Defaults to the shipped `connectors/<name>/`. */
  load?: (name: string) => Promise<ConnectorDefinition>;
  /** Every credential value a connector read is reported here, so sync can keep them out of its output. */
  onSecret?: (value: string) => void;
}

/**
 * Checks every entry (`{ "connector": "slack-export", "name"?: "...", ...options }`) against its
 * connector's schema before anything runs: a typo fails fast, naming the entry and field.
 */
export async function configuredSources(entries: readonly Record<string, unknown>[], options: ConfiguredSourcesOptions): Promise<ConfiguredSource[]> {
  const load = options.load ?? loadConnectorDefinition;
  const readVariable = options.env ?? ((name: string) => readEnvVariable(name));
  const fail = (where: string, message: string) => new LlamadeskError("SOURCE_CONFIG_INVALID", `${options.configPath}: ${where}: ${message}`);
  const counts = new Map<string, number>();
  for (const entry of entries) if (typeof entry.connector === "string") counts.set(entry.connector, (counts.get(entry.connector) ?? 0) + 1);

  const sources: ConfiguredSource[] = [];
  const names = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const { connector, name: given, ...rest } = entry;
    if (typeof connector !== "string" || connector === "") throw fail(`sources.${i}.connector`, 'required, e.g. "slack-export"');
    if (given !== undefined && (typeof given !== "string" || given.trim() === "")) throw fail(`sources.${i}.name`, "must be a non-empty string");
    let definition: ConnectorDefinition;
    try {
      definition = await load(connector);
    } catch (error) {
      throw fail(`sources.${i}.connector`, (error as Error).message);
    }
    const parsed = definition.options.safeParse(rest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".");
      throw fail(`sources.${i}${field ? `.${field}` : ""}`, `${issue.message} (connector "${connector}"; see README, "Sync")`);
    }
    const name = (given as string | undefined) ?? ((counts.get(connector) ?? 0) > 1 ? `${connector}#${i + 1}` : connector);
    if (names.has(name)) throw fail(`sources.${i}.name`, `"${name}" is used by another source; give each a different name`);
    names.add(name);
    const env = (variable: string) => {
      const value = readVariable(variable);
      if (value) options.onSecret?.(value);
      return value;
    };
    sources.push({ name, connector, create: () => definition.create(parsed.data, { baseDir: options.baseDir, env }) });
  }
  return sources;
}
