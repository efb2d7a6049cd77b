import { describeHolder } from "../knowledge/writerLock.js";
import type { KnowledgeStore, WriterHolder, WriterLock } from "../knowledge/KnowledgeStore.js";

/**
 * The writer lock as CLI commands take it before they read knowledge they will change: a line on
 * stderr when another command holds it, Ctrl-C stops the wait (`ABORTED`, nothing changed).
 */
export async function lockIndexForWriting(store: KnowledgeStore, command: string, options: { wait?: boolean | undefined }): Promise<WriterLock> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await store.acquireWriter({
      command: `llamadesk ${command}`,
      ...(options.wait !== undefined ? { wait: options.wait } : {}),
      signal: controller.signal,
      onWait: (holder) => process.stderr.write(waitingMessage(holder, store.location)),
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export function waitingMessage(holder: WriterHolder, location: string): string {
  return `Waiting for ${describeHolder(holder)} to finish writing ${location}... (--no-wait to fail at once)\n`;
}
