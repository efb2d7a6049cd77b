import { z } from "zod";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { IntercomArticlesConnector } from "./IntercomArticlesConnector.js";

export { IntercomArticlesConnector, type IntercomArticle, type IntercomArticlesConnectorOptions } from "./IntercomArticlesConnector.js";

const options = z
  .object({
    /** Environment variable holding the access token; INTERCOM_TOKEN when absent. */
    tokenEnv: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable, e.g. INTERCOM_TOKEN (not the token itself)").optional(),
    apiUrl: z.string().trim().url().optional(),
    version: z.string().trim().min(1).optional(),
  })
  .strict();

export type IntercomArticlesSourceOptions = z.infer<typeof options>;

/**
 * `{ "connector": "intercom-articles", "tokenEnv"?: "INTERCOM_TOKEN", "apiUrl"?: "https://api.eu.intercom.io", "version"?: "2.11" }`
 * in the config file's `sources`; the token is read from the named environment variable.
 */
export const definition: ConnectorDefinition<IntercomArticlesSourceOptions> = {
  name: "intercom-articles",
  options,
  create: ({ tokenEnv = "INTERCOM_TOKEN", ...rest }, context) => {
    const token = context.env(tokenEnv);
    if (!token) throw new LlamadeskError("SOURCE_CONFIG_INVALID", `intercom-articles: the environment variable ${tokenEnv} is not set: set it to an Intercom access token that can read articles, or name another variable with "tokenEnv"`);
    return new IntercomArticlesConnector({ ...rest, token, credential: tokenEnv });
  },
};
