import type { z } from "zod";
import type { Connector } from "../types.js";

/** What a connector gets from `llamadesk sync` besides its options. */
export interface ConnectorContext {
  /** Directory of the config file: relative paths in options resolve against it. */
  baseDir: string;
  /**
   * Reads a credential from the environment by the variable name the config gives
   * (`"tokenEnv": "SLACK_BOT_TOKEN"`), so secrets never sit in the config file.
   */
  env: (name: string) => string | undefined;
}

/**
 * How `llamadesk sync` builds a connector from one `sources` entry of the config file.
 * Each `connectors/<name>/index.ts` exports one as `definition`; sync finds it by the
 * entry's `connector` field.
 */
export interface ConnectorDefinition<Options = unknown> {
  /** The `connector` value that selects it, e.g. "slack-export". */
  name: string;
  /** Checks the entry's other fields; errors name the field. */
  options: z.ZodType<Options>;
  /** Builds the connector. Throws a LlamadeskError (SOURCE_CONFIG_INVALID) when a credential variable is unset, naming the variable, never its value. */
  create(options: Options, context: ConnectorContext): Connector;
}
