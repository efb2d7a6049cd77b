import { z } from "zod";
import { readEnvVariable } from "../../config.js";
import { LlamadeskError } from "../../errors.js";
import { DEFAULT_STRINGS, type WidgetStrings } from "./widget/strings.js";

/** A budget of requests: `requests` per `windowSeconds`, refilled evenly (a token bucket). */
export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

/** The config file's `web` section: the HTTP API and widget server of `llamadesk serve`. */
export interface WebConfig {
  /** Interface to listen on. Defaults to `"127.0.0.1"` (put a TLS reverse proxy in front; `"0.0.0.0"` listens on all). */
  host: string;
  /** Port to listen on (`--port` wins over it, and it over `PORT`). Defaults to `PORT`, then 8787. */
  port?: number;
  /** Web pages (origins such as `"https://shop.example.com"`) that may embed the widget; `"*"` allows any. Defaults to none: only pages served by this server. */
  origins: string[];
  /**
   * Where visitors reach this server, e.g. `"https://support.example.com"` behind your proxy: its pages (the demo) may use
   * the API, and `serve` prints it in the script tag. Defaults to none: the address the server listens on.
   */
  publicUrl?: string;
  /** The widget's strings on the demo page (`title`, `greeting`, any name the widget knows). Defaults to ones naming `policy.product`. */
  strings: Partial<WidgetStrings>;
  /** Name of the environment variable holding the API key for server-to-server calls. Defaults to none (no key). */
  apiKeyEnv?: string;
  /** Every API request must carry the key (no widget on other sites). Defaults to `false`. */
  requireApiKey: boolean;
  /** Take the client address from `X-Forwarded-For` (behind a reverse proxy). Defaults to `false`. */
  trustProxy: boolean;
  /** Largest request body, in bytes. Defaults to 16384. */
  maxBodyBytes: number;
  /** Longest customer message (and handoff message), in characters. Defaults to 2000. */
  maxMessageChars: number;
  rateLimit: {
    /** Every API request from one address. Defaults to 60 per 60 s. */
    perIp: RateLimit;
    /** Questions in one conversation. Defaults to 10 per 60 s. */
    perConversation: RateLimit;
  };
  /** URL that each handoff ticket is POSTed to, as JSON. Defaults to none. */
  handoffWebhook?: string;
  /** Name of an environment variable holding the webhook URL instead (when the URL holds a secret). Defaults to none. */
  handoffWebhookEnv?: string;
  /** SQLite file for handoff tickets. Defaults to `handoff-tickets.sqlite` beside the conversation store. */
  tickets?: string;
  /** The admin console at `/admin` (on when its token is set). */
  admin: {
    /** Name of the environment variable holding the admin token. Defaults to LLAMADESK_ADMIN_TOKEN. */
    tokenEnv?: string;
    /** Sign-in attempts per address. Defaults to 5 per 60 s. */
    signInLimit: RateLimit;
  };
}

export const DEFAULT_WEB_PORT = 8787;

const rateLimit = (requests: number, windowSeconds: number) =>
  z
    .object({ requests: z.number().int().min(1), windowSeconds: z.number().positive().max(86_400) })
    .strict()
    .default({ requests, windowSeconds });

const origin = z.string().refine(isOrigin, { message: 'must be an origin such as "https://shop.example.com" (scheme, host and port only, no path) or "*"' });
const widgetStrings = z
  .object(Object.fromEntries(Object.keys(DEFAULT_STRINGS).map((name) => [name, z.string().trim().min(1).max(1000).optional()])) as Record<keyof WidgetStrings, z.ZodOptional<z.ZodString>>)
  .strict()
  .default({});
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable");

const schema = z
  .object({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).optional(),
    origins: z.array(origin).default([]),
    publicUrl: z.string().refine(isPublicUrl, { message: 'must be an http(s) URL such as "https://support.example.com"' }).optional(),
    strings: widgetStrings,
    apiKeyEnv: envName.optional(),
    requireApiKey: z.boolean().default(false),
    trustProxy: z.boolean().default(false),
    maxBodyBytes: z.number().int().min(256).max(10_000_000).default(16_384),
    maxMessageChars: z.number().int().min(1).max(100_000).default(2000),
    rateLimit: z.object({ perIp: rateLimit(60, 60), perConversation: rateLimit(10, 60) }).strict().default({}),
    handoffWebhook: z.string().url().refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL").optional(),
    handoffWebhookEnv: envName.optional(),
    tickets: z.string().min(1).optional(),
    admin: z.object({ tokenEnv: envName.optional(), signInLimit: rateLimit(5, 60) }).strict().default({}),
  })
  .strict()
  .refine((c) => !c.requireApiKey || c.apiKeyEnv !== undefined, { message: "requireApiKey needs apiKeyEnv (the variable holding the key)", path: ["requireApiKey"] })
  .refine((c) => c.handoffWebhook === undefined || c.handoffWebhookEnv === undefined, {
    message: "give handoffWebhook or handoffWebhookEnv, not both",
    path: ["handoffWebhookEnv"],
  });

export type WebConfigInput = z.input<typeof schema>;

/**
 * Checks the config file's `web` section (`raw`, undefined when absent) and fills in the defaults.
 * An error names the file and the field: `llamadesk.config.json: web.origins.0: must be an origin ...`.
 */
export function parseWebConfig(raw: unknown, where = "llamadesk.config.json"): WebConfig {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["web", ...issue.path].join(".") + (issue.code === "unrecognized_keys" ? `.${issue.keys.join(", ")}` : "");
    throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `${where}: ${field}: ${issue.message}. See README, "Website widget", for the fields.`);
  }
  return parsed.data as WebConfig;
}

/** The secrets the config names by environment variable: the API key and the webhook URL. A named variable that is unset is an error. */
export function readWebSecrets(config: WebConfig, env: NodeJS.ProcessEnv = process.env): { apiKey?: string; handoffWebhook?: string; adminToken?: string } {
  const read = (field: "apiKeyEnv" | "handoffWebhookEnv"): string | undefined => {
    const name = config[field];
    if (name === undefined) return undefined;
    const value = readEnvVariable(name, env);
    if (value === undefined) throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `web.${field} names ${name}, which is not set: set it, or remove web.${field}.`);
    return value;
  };
  const apiKey = read("apiKeyEnv");
  const webhook = read("handoffWebhookEnv") ?? config.handoffWebhook;
  if (webhook !== undefined && !/^https?:\/\/[^\s]+$/i.test(webhook)) {
    throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `web.handoffWebhookEnv: ${config.handoffWebhookEnv} must hold an http(s) URL.`);
  }
  const adminToken = readAdminToken(config, env);
  return { ...(apiKey ? { apiKey } : {}), ...(webhook ? { handoffWebhook: webhook } : {}), ...(adminToken ? { adminToken } : {}) };
}

/** The admin token: the variable `web.admin.tokenEnv` names (which must be set), else LLAMADESK_ADMIN_TOKEN; none turns the console off. */
function readAdminToken(config: WebConfig, env: NodeJS.ProcessEnv): string | undefined {
  const name = config.admin.tokenEnv ?? "LLAMADESK_ADMIN_TOKEN";
  const token = readEnvVariable(name, env);
  if (token === undefined) {
    if (config.admin.tokenEnv !== undefined) throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `web.admin.tokenEnv names ${name}, which is not set: set it to a long random token, or remove web.admin.tokenEnv.`);
    return undefined;
  }
  if (token.length < 16) {
    throw new LlamadeskError("CHANNEL_CONFIG_INVALID", `${name} (the admin token) is ${token.length} characters long: use at least 16 random characters, e.g. \`openssl rand -base64 24\`.`);
  }
  return token;
}

function isPublicUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isOrigin(value: string): boolean {
  if (value === "*") return true;
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}
