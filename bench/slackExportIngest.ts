import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackExportConnector } from "../connectors/slack-export/index.js";
import { ingest } from "../src/knowledge/ingest.js";
import { LocalKnowledgeStore } from "../src/knowledge/LocalKnowledgeStore.js";
import type { BenchOptions } from "./lib/BenchOptions.js";
import { timed } from "./lib/measure.js";
import { Recorder, type BenchRow } from "./lib/report.js";
import { writeSlackExport } from "./lib/writeSlackExport.js";

const MESSAGES = 50_000;
const CHANNELS = 10;

/**
 * Ingest rate of the slack-export connector on a generated 50k-message export:
 * (a) reading day files and rebuilding threads (the connector alone), best of 3;
 * (b) the whole ingest with USE-lite embeddings, where embedding dominates: on one
 * channel (5k messages; 500 with --quick) so it takes minutes, not half an hour.
 */
export async function benchSlackExportIngest(options: BenchOptions): Promise<BenchRow[]> {
  const rec = new Recorder("slack-export");
  const root = await mkdtemp(join(tmpdir(), "llamadesk-bench-slack-"));
  try {
    const dir = join(root, "export");
    const generated = await timed(() => writeSlackExport({ dir, messages: MESSAGES, channels: CHANNELS }));
    const stats = generated.result;
    console.log(`\n[slack-export] generated ${stats.messages} messages (${stats.threads} threads, ${stats.dayFiles} day files, ${CHANNELS} channels) in ${(generated.ms / 1000).toFixed(1)} s`);

    let best = Infinity;
    let docs = 0;
    let kept = 0;
    for (let round = 1; round <= 3; round++) {
      const run = await timed(async () => {
        let count = 0;
        let messages = 0;
        for await (const doc of new SlackExportConnector({ path: dir, supportUsers: stats.agents }).pull()) {
          count++;
          messages += doc.thread!.messages.length;
        }
        return { count, messages };
      });
      best = Math.min(best, run.ms);
      docs = run.result.count;
      kept = run.result.messages;
      console.log(`    round ${round}: ${docs} threads (${kept} messages kept after noise) in ${(run.ms / 1000).toFixed(2)} s`);
    }
    rec.record(`(a) parse + thread building (${stats.messages} messages)`, stats.messages / (best / 1000), "messages/s");
    rec.record(`(a) threads out (${stats.messages} messages)`, docs / (best / 1000), "threads/s");

    const channel = stats.channels[0]!;
    const subset = options.quick ? join(root, "quick") : dir;
    if (options.quick) await writeSlackExport({ dir: subset, messages: 500, channels: 1 });
    const embedder = await options.embedder();
    const store = await LocalKnowledgeStore.open({ embedder });
    const whole = await timed(() => ingest({ store, embedder, connectors: [new SlackExportConnector({ path: subset, channels: [channel], supportUsers: stats.agents })] }));
    const messages = options.quick ? 500 : Math.ceil(MESSAGES / CHANNELS);
    console.log(`    (b) #${channel}: ${whole.result.added} threads, ${whole.result.chunksEmbedded} chunks embedded in ${(whole.ms / 1000).toFixed(1)} s`);
    rec.record(`(b) full ingest with USE-lite embeddings (#${channel}, ${messages} messages)`, messages / (whole.ms / 1000), "messages/s");
    rec.record(`(b) chunks embedded per second in that ingest (#${channel})`, whole.result.chunksEmbedded / (whole.ms / 1000), "chunks/s");
    console.log(`    at that rate the whole ${stats.messages}-message export would take about ${((stats.messages / (messages / (whole.ms / 1000))) / 60).toFixed(0)} min`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return rec.rows;
}
