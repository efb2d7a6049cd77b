import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Bot } from "../../bot.js";
import { LlamadeskError } from "../../errors.js";
import type { HandoffTicketStore } from "../../store/HandoffTicketStore.js";
import type { Channel } from "../Channel.js";
import { createWebApp, type WebApp, type WebAppOptions } from "./createWebApp.js";
import { listenOrigins } from "./listenOrigins.js";
import { DEFAULT_WEB_PORT, parseWebConfig, type WebConfig } from "./webConfig.js";

export interface WebChannelOptions extends Omit<WebAppOptions, "bot" | "config" | "ownOrigins"> {
  /** Where handoff tickets go; `stop()` closes it. */
  tickets: HandoffTicketStore;
  /** Defaults to `parseWebConfig({})`. */
  config?: WebConfig;
  /** Wins over `config.port`. 0 picks a free port (see `url`). Defaults to `config.port`, then 8787. */
  port?: number;
  /** Wins over `config.host`. */
  host?: string;
  /** How long `stop()` lets answers being streamed finish before it aborts them, in ms. Defaults to 5000. */
  stopGraceMs?: number;
}

/** The web channel: the HTTP API, `/widget.js` and the demo page, served by @hono/node-server. */
export class WebChannel implements Channel {
  readonly name = "web";
  private readonly options: WebChannelOptions;
  private server: Server | undefined;
  private web: WebApp | undefined;
  private address: AddressInfo | undefined;
  /** Where the demo page can be opened, once listening: its requests come from these origins. */
  private origins: string[] = [];

  constructor(options: WebChannelOptions) {
    this.options = options;
  }

  /** Where it listens, once started: `http://127.0.0.1:8787`. */
  get url(): string {
    if (!this.address) throw new LlamadeskError("CHANNEL_START_FAILED", "The web channel is not started: call start(bot) first.");
    const host = this.address.family === "IPv6" ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  async start(bot: Bot): Promise<void> {
    if (this.server) throw new LlamadeskError("CHANNEL_START_FAILED", "The web channel is already started.");
    const config = this.options.config ?? parseWebConfig({});
    const port = this.options.port ?? config.port ?? DEFAULT_WEB_PORT;
    const host = this.options.host ?? config.host;
    const web = createWebApp({ ...this.options, bot, config, ownOrigins: () => this.origins });
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch: web.app.fetch, port, hostname: host }, (info) => {
        this.address = info;
        this.origins = listenOrigins(host, info.port);
        resolve();
      }) as Server;
      server.once("error", (error: NodeJS.ErrnoException) => {
        const advice = error.code === "EADDRINUSE" ? `Port ${port} is in use: stop what uses it, or pick another with --port or PORT.` : "Check web.host and the port.";
        reject(new LlamadeskError("CHANNEL_START_FAILED", `The web server cannot listen on ${host}:${port}: ${error.message}. ${advice}`, { cause: error }));
      });
      this.server = server;
    }).catch((error: unknown) => {
      this.server = undefined;
      throw error;
    });
    this.web = web;
  }

  /**
   * Stops listening; new messages on open connections get 503. Answers being streamed get `stopGraceMs` to
   * finish (a rolling restart of replicas cuts no answer short), then are aborted. Waits for them and for
   * webhook deliveries, closes the connections and the ticket store.
   */
  async stop(): Promise<void> {
    const server = this.server;
    const web = this.web;
    this.server = undefined;
    this.web = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await web?.stop({ graceMs: this.options.stopGraceMs ?? 5000 });
    // Every stream has ended: cut what is still open (idle keep-alive connections, slow readers).
    setTimeout(() => server.closeAllConnections(), 1000).unref();
    await closed;
    await this.options.tickets.dispose();
    this.address = undefined;
    this.origins = [];
  }
}
