import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { LlamadeskError } from "../errors.js";

/**
 * Holds `sync.lock` in the index directory while a sync runs: two syncs writing one index
 * would each save a generation without the other's changes. A lock left by a process that
 * no longer runs (a crash, a kill -9) is taken over.
 */
export async function acquireSyncLock(indexDir: string): Promise<{ release(): Promise<void> }> {
  await mkdir(indexDir, { recursive: true });
  const path = join(indexDir, "sync.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new LlamadeskError("SYNC_FAILED", `Another sync (process ${pid}) is updating ${indexDir}. Wait for it to finish, or stop it.`);
      }
      await rm(path, { force: true });
    }
  }
  throw new LlamadeskError("SYNC_FAILED", `Cannot take the sync lock ${path}; remove it if no sync is running.`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
