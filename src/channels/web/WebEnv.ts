import type { HttpBindings } from "@hono/node-server";

/** What the web app's middleware knows about a request, for the routes after it. */
export interface WebEnv {
  /** Present when served by @hono/node-server; absent under `app.request()` in tests. */
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The client's address (for per-address limits): the socket's, or `X-Forwarded-For`'s with `trustProxy`. */
    ip: string;
    /** The request carried the API key: a server, not a browser. */
    trusted: boolean;
  };
}
