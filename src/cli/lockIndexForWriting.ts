import { acquireWriterLock, describeHolder, type WriterLock, type WriterLockHolder } from "../knowledge/writerLock.js";

/**
 * The writer lock as CLI commands take it before they load an index they will save: a line on
 * stderr when another command holds it, Ctrl-C stops the wait (`ABORTED`, nothing changed).
 */
export async function lockIndexForWriting(indexDir: string, command: string, options: { wait?: boolean }): Promise<WriterLock> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await acquireWriterLock(indexDir, {
      command: `llamadesk ${command}`,
      wait: options.wait,
      signal: controller.signal,
      onWait: (holder) => process.stderr.write(waitingMessage(holder, indexDir)),
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export function waitingMessage(holder: WriterLockHolder, indexDir: string): string {
  return `Waiting for ${describeHolder(holder)} to finish writing ${indexDir}... (--no-wait to fail at once)\n`;
}
