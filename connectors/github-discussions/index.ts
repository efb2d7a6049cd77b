import { z } from "zod";
import { LlamadeskError } from "../../src/errors.js";
import type { ConnectorDefinition } from "../../src/sync/ConnectorDefinition.js";
import { GitHubDiscussionsConnector } from "./GitHubDiscussionsConnector.js";

export { GitHubDiscussionsConnector, type GitHubDiscussionsConnectorOptions } from "./GitHubDiscussionsConnector.js";
export { GitHubGraphqlClient, type GitHubGraphqlClientOptions } from "./GitHubGraphqlClient.js";
export { toDiscussionThread } from "./toDiscussionThread.js";

const options = z
  .object({
    repo: z.string().trim().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'must be "owner/name", e.g. "acme/widgets"'),
    /** Environment variable holding the token; GITHUB_TOKEN when absent. */
    tokenEnv: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable, e.g. GITHUB_TOKEN (not the token itself)").optional(),
    categories: z.array(z.string().trim().min(1)).min(1).optional(),
    supportUsers: z.array(z.string().trim().min(1)).min(1).optional(),
    apiUrl: z.string().url().optional(),
    fullListingHours: z.number().min(0).max(24 * 30).optional(),
  })
  .strict();

export type GitHubDiscussionsSourceOptions = z.infer<typeof options>;

/**
 * `{ "connector": "github-discussions", "repo": "owner/name", "tokenEnv"?: "GITHUB_TOKEN", "categories"?: ["Q&A"], "supportUsers"?: [...], "apiUrl"?: "...", "fullListingHours"?: 24 }`
 * in the config file's `sources`; the token is read from the named environment variable.
 */
export const definition: ConnectorDefinition<GitHubDiscussionsSourceOptions> = {
  name: "github-discussions",
  options,
  create: ({ tokenEnv = "GITHUB_TOKEN", ...rest }, context) => {
    const token = context.env(tokenEnv);
    if (!token) {
      throw new LlamadeskError("SOURCE_CONFIG_INVALID", `github-discussions: the environment variable ${tokenEnv} is not set: set it to a GitHub token that can read the repository's discussions, or name another variable with "tokenEnv"`);
    }
    return new GitHubDiscussionsConnector({ ...rest, token, tokenSource: tokenEnv });
  },
};
