import { z } from "zod";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { WebsiteConnector } from "./WebsiteConnector.js";

export { WebsiteConnector, USER_AGENT, type WebsiteConnectorOptions } from "./WebsiteConnector.js";
export type { CrawlStats } from "./crawlSite.js";
export { extractArticle, extractPage, type ExtractedPage, type ExtractPageOptions } from "./extractPage.js";
export { htmlDocs, type HtmlDoc } from "./htmlDocs.js";
export { canonicalUrl } from "./canonicalUrl.js";

const envName = z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable, e.g. HELP_CENTER_COOKIE (not the value itself)");
const httpUrl = z.string().trim().url().regex(/^https?:\/\//i, "must be an http(s) URL");

const options = z
  .object({
    sitemap: z.union([httpUrl, z.array(httpUrl).min(1)]).optional(),
    startUrls: z.array(httpUrl).min(1).optional(),
    include: z.array(z.string().trim().min(1)).min(1).optional(),
    exclude: z.array(z.string().trim().min(1)).min(1).optional(),
    maxPages: z.number().int().min(1).max(100_000).optional(),
    maxDepth: z.number().int().min(0).max(100).optional(),
    concurrency: z.number().int().min(1).max(32).optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    timeoutMs: z.number().int().min(100).max(300_000).optional(),
    maxPageBytes: z.number().int().min(1_000).max(100_000_000).optional(),
    selector: z.string().trim().min(1).optional(),
    respectRobots: z.boolean().optional(),
    /** Header name → the environment variable holding its value, e.g. { "Cookie": "HELP_CENTER_COOKIE" }. */
    headers: z.record(z.string().trim().regex(/^[A-Za-z0-9-]+$/, "must be a header name"), envName).optional(),
  })
  .strict()
  .refine((o) => o.sitemap !== undefined || o.startUrls !== undefined, { message: 'give "sitemap" or "startUrls" (or both)', path: ["sitemap"] });

export type WebsiteSourceOptions = z.infer<typeof options>;

/**
 * `{ "connector": "website", "sitemap"?: "https://example.com/sitemap.xml", "startUrls"?: ["https://example.com/help/"], "include"?, "exclude"?,
 * "maxPages"?, "maxDepth"?, "concurrency"?, "delayMs"?, "timeoutMs"?, "maxPageBytes"?, "selector"?, "respectRobots"?, "headers"?: { "Cookie": "HELP_CENTER_COOKIE" } }`
 * in the config file's `sources`; header values are read from the environment variables named.
 */
export const definition: ConnectorDefinition<WebsiteSourceOptions> = {
  name: "website",
  options,
  create: ({ headers, ...rest }, context) => {
    const values: Record<string, string> = {};
    for (const [header, variable] of Object.entries(headers ?? {})) {
      const value = context.env(variable);
      if (!value) throw new LlamadeskError("SOURCE_CONFIG_INVALID", `website: headers.${header}: the environment variable ${variable} is not set: set it to the header's value, or name another variable`);
      values[header] = value;
    }
    return new WebsiteConnector({ ...rest, ...(headers ? { headers: values } : {}) });
  },
};
