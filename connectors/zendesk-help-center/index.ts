import { z } from "zod";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { ZendeskHelpCenterConnector } from "./ZendeskHelpCenterConnector.js";

export { ZendeskHelpCenterConnector, type ZendeskArticle, type ZendeskHelpCenterConnectorOptions } from "./ZendeskHelpCenterConnector.js";

const envName = z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable (not the secret itself)");

const options = z
  .object({
    subdomain: z.string().trim().regex(/^[a-z0-9][a-z0-9-]*$/i, 'must be the subdomain only, e.g. "acme" for acme.zendesk.com').optional(),
    baseUrl: z.string().trim().url().optional(),
    locales: z.array(z.string().trim().min(2)).min(1).optional(),
    /** The agent's email, for an API token (`email/token` auth). */
    email: z.string().trim().email().optional(),
    /** Environment variable holding the API token (with `email`). */
    tokenEnv: envName.optional(),
    /** Environment variable holding an OAuth access token (instead of email + API token). */
    oauthTokenEnv: envName.optional(),
    fullListingHours: z.number().min(0).max(24 * 30).optional(),
  })
  .strict()
  .refine((o) => o.subdomain !== undefined || o.baseUrl !== undefined, { message: 'give "subdomain" (e.g. "acme") or "baseUrl"', path: ["subdomain"] })
  .refine((o) => (o.tokenEnv === undefined) === (o.email === undefined), { message: 'an API token needs both "email" and "tokenEnv"', path: ["tokenEnv"] })
  .refine((o) => !(o.tokenEnv && o.oauthTokenEnv), { message: 'give "tokenEnv" (with "email") or "oauthTokenEnv", not both', path: ["oauthTokenEnv"] });

export type ZendeskHelpCenterSourceOptions = z.infer<typeof options>;

/**
 * `{ "connector": "zendesk-help-center", "subdomain": "acme", "locales"?: ["en-us"], "email"?: "agent@acme.com", "tokenEnv"?: "ZENDESK_API_TOKEN", "oauthTokenEnv"?: "...", "baseUrl"?: "...", "fullListingHours"?: 24 }`
 * in the config file's `sources`. Without credentials it reads a public help center.
 */
export const definition: ConnectorDefinition<ZendeskHelpCenterSourceOptions> = {
  name: "zendesk-help-center",
  options,
  create: ({ email, tokenEnv, oauthTokenEnv, ...rest }, context) => {
    const variable = tokenEnv ?? oauthTokenEnv;
    let authorization: string | undefined;
    if (variable) {
      const secret = context.env(variable);
      if (!secret) throw new LlamadeskError("SOURCE_CONFIG_INVALID", `zendesk-help-center: the environment variable ${variable} is not set: set it to the ${tokenEnv ? "Zendesk API token" : "OAuth access token"}, or name another variable`);
      authorization = tokenEnv ? `Basic ${Buffer.from(`${email}/token:${secret}`).toString("base64")}` : `Bearer ${secret}`;
    }
    return new ZendeskHelpCenterConnector({ ...rest, ...(authorization ? { authorization, credential: variable! } : {}) });
  },
};
