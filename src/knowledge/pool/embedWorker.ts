/**
 * An embedding worker thread: builds one embedder (its model loads once, here), then embeds the
 * batches the pool sends it, one at a time. Started by EmbedderPool; not a public entry point.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Embedder } from "../Embedder.js";
import type { FromWorker, ToWorker, WorkerError, WorkerInit } from "./messages.js";

const port = parentPort;
if (!port) throw new Error("embedWorker.js runs as a worker thread of EmbedderPool, not on its own.");
const { embedder: spec } = workerData as WorkerInit;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

let embedder: Embedder;
try {
  const factory = ((await import(spec.module)) as Record<string, unknown>)[spec.exportName];
  if (typeof factory !== "function") throw new Error(`${spec.module} has no function ${spec.exportName}`);
  embedder = (await factory(spec.options)) as Embedder;
  // The first call loads the model (embedders load lazily): the pool counts the worker ready only then.
  await embedder.embed(["load the model"]);
  send({ type: "ready", id: embedder.id, dimensions: embedder.dimensions });
} catch (error) {
  send({ type: "failed", error: describe(error) });
  port.close();
  process.exit(1);
}

// Jobs arrive one at a time (the pool waits for each answer), so nothing else queues here.
port.on("message", async (message: ToWorker) => {
  try {
    const vectors = await embedder.embed(message.texts);
    const data = new Float64Array(vectors.length * embedder.dimensions);
    vectors.forEach((vector, row) => data.set(vector, row * embedder.dimensions));
    send({ type: "vectors", job: message.job, data }, [data.buffer]);
  } catch (error) {
    send({ type: "error", job: message.job, error: describe(error) });
  }
});

function describe(error: unknown): WorkerError {
  const code = (error as { code?: unknown } | null)?.code;
  return { message: error instanceof Error ? error.message : String(error), ...(typeof code === "string" ? { code } : {}) };
}
