/** Resolves with the first SIGINT or SIGTERM: how long-running commands (slack, discord, serve) wait to be stopped. */
export function stopSignal(signals: NodeJS.EventEmitter = process): Promise<"SIGINT" | "SIGTERM"> {
  return new Promise((resolve) => {
    signals.once("SIGINT", () => resolve("SIGINT"));
    signals.once("SIGTERM", () => resolve("SIGTERM"));
  });
}
