// `llamadesk/web`: the HTTP API and widget server, on its own entry so the main one loads no web framework.
export { createWebApp, DEFAULT_WIDGET_FILE, type WebApp, type WebAppOptions } from "./createWebApp.js";
export { WebChannel, type WebChannelOptions } from "./WebChannel.js";
export { parseWebConfig, readWebSecrets, DEFAULT_WEB_PORT, type WebConfig, type WebConfigInput, type RateLimit } from "./webConfig.js";
export type { WidgetEvent, WidgetTurn } from "./widgetEvents.js";
export type { HandoffWebhookPayload } from "./deliverHandoff.js";
export type { ErrorBody } from "./HttpError.js";
