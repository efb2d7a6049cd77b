// `llamadesk/web`: the HTTP API and widget server, on its own entry so the main one loads no web framework.
export { createWebApp, DEFAULT_WIDGET_FILE, type WebApp, type WebAppOptions } from "./createWebApp.js";
export { WebChannel, type WebChannelOptions } from "./WebChannel.js";
export { parseWebConfig, readWebSecrets, DEFAULT_WEB_PORT, type WebConfig, type WebConfigInput, type RateLimit } from "./webConfig.js";
export type { WidgetEvent, WidgetTurn } from "./widgetEvents.js";
export type { HandoffWebhookPayload } from "./deliverHandoff.js";
export type { ErrorBody } from "./HttpError.js";
// What replicas share: rate-limit buckets and issued conversation ids, in memory (one process) or in PostgreSQL.
export { MemoryWebState, type WebState, type MemoryWebStateOptions, type RateLimiterName } from "./WebState.js";
export { MemoryRateLimiter, type RateLimiter, type RateDecision, type MemoryRateLimiterOptions } from "./RateLimiter.js";
export { MemoryIssuedConversationIds, type IssuedConversationIds, type MemoryIssuedConversationIdsOptions } from "./IssuedConversationIds.js";
export { PostgresWebState, type PostgresWebStateOptions } from "../../postgres/PostgresWebState.js";
export { PostgresRateLimiter, type PostgresRateLimiterOptions } from "../../postgres/PostgresRateLimiter.js";
export { PostgresIssuedConversationIds, type PostgresIssuedConversationIdsOptions } from "../../postgres/PostgresIssuedConversationIds.js";
