import { DiscordjsErrorCodes, Events, GatewayCloseCodes, type Client, type CloseEvent } from "discord.js";
import { LlamadeskError } from "../../errors.js";
import { describe } from "./answerConversation.js";
import type { DiscordConfig } from "./discordConfig.js";

/**
 * Logs in and waits until the client is ready (its servers and channels known). Rejects with a coded
 * error that says what to fix: a refused token (CHANNEL_AUTH_FAILED), a privileged intent the application
 * is not allowed (close code 4014: the Message Content intent), Discord unreachable, or no ready in time
 * (CHANNEL_START_FAILED); with `signal`'s reason once it is aborted (the channel stopping, the lead lost).
 */
export function connectClient(client: Client, config: Pick<DiscordConfig, "token" | "apiUrl">, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = (error?: unknown) => {
      clearTimeout(timer);
      client.off(Events.ClientReady, onReady);
      client.off(Events.ShardDisconnect, onClose);
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const onReady = () => done();
    const onClose = (event: CloseEvent) => done(closeError(event.code));
    const timer = setTimeout(
      () => done(new LlamadeskError("CHANNEL_START_FAILED", `Discord's gateway was not ready within ${Math.round(timeoutMs / 1000)} s; check the network (and DISCORD_API_URL, if set) and try again.`)),
      timeoutMs,
    );
    client.once(Events.ClientReady, onReady);
    client.on(Events.ShardDisconnect, onClose);
    client.login(config.token).catch((error: unknown) => done(loginError(error, config.apiUrl)));
  });
}

function loginError(error: unknown, apiUrl: string | undefined): LlamadeskError {
  if ((error as { code?: unknown }).code === DiscordjsErrorCodes.TokenInvalid) {
    return new LlamadeskError("CHANNEL_AUTH_FAILED", "Discord refused the bot token (DISCORD_TOKEN): copy it again from the Developer Portal (your application → Bot → Reset Token).");
  }
  const where = apiUrl ? `at DISCORD_API_URL (${apiUrl})` : "";
  return new LlamadeskError("CHANNEL_START_FAILED", `Cannot connect to Discord${where ? ` ${where}` : ""}: ${describe(error)}. Check the network and try again.`, { cause: error });
}

function closeError(code: number): LlamadeskError {
  switch (code) {
    case GatewayCloseCodes.AuthenticationFailed:
      return new LlamadeskError("CHANNEL_AUTH_FAILED", "Discord's gateway refused the bot token (close code 4004): copy it again from the Developer Portal (your application → Bot → Reset Token).");
    case GatewayCloseCodes.DisallowedIntents:
      return new LlamadeskError(
        "CHANNEL_START_FAILED",
        'Discord refused the Message Content intent (close code 4014: disallowed intents). Turn on "Message Content Intent" in the Developer Portal (your application → Bot → Privileged Gateway Intents), ' +
          'or set "discord": { "messageContent": false } in llamadesk.config.json to answer only mentions and /ask.',
      );
    case GatewayCloseCodes.InvalidIntents:
      return new LlamadeskError("CHANNEL_START_FAILED", "Discord refused the gateway intents (close code 4013); please report it.");
    default:
      return new LlamadeskError("CHANNEL_START_FAILED", `Discord closed the gateway connection while connecting (close code ${code}); try again.`);
  }
}
