import { resolve } from "node:path";
import { z } from "zod";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { SlackExportConnector, type SlackExportConnectorOptions } from "./SlackExportConnector.js";

export { SlackExportConnector, type SlackExportConnectorOptions } from "./SlackExportConnector.js";
export { readJsonArray, type JsonArrayElement, type JsonArrayRead } from "./readJsonArray.js";

const names = z.array(z.string().trim().min(1)).min(1);

/**
 * `{ "connector": "slack-export", "path": "./slack-export", "channels"?: ["support"], "supportUsers"?: ["U0123"], "baseUrl"?: "https://acme.slack.com" }`
 * in the config file's `sources`; the path is relative to the config file.
 */
export const definition: ConnectorDefinition<SlackExportConnectorOptions> = {
  name: "slack-export",
  options: z
    .object({
      path: z.string().trim().min(1),
      channels: names.optional(),
      supportUsers: names.optional(),
      baseUrl: z.string().trim().min(1).optional(),
    })
    .strict(),
  create: (options, context) => new SlackExportConnector({ ...options, path: resolve(context.baseDir, options.path) }),
};
