import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../src/errors.js";
import { pullModel } from "../../src/model/pullModel.js";
import { writeTinyLlamaGguf } from "../../src/testing/writeTinyLlamaGguf.js";
import { startModelServer, type ModelServer } from "../support/startModelServer.js";

// The library call behind `llamadesk pull`, against a local server serving a generated GGUF.
describe("pullModel", () => {
  let work: string;
  let model: Buffer;
  let server: ModelServer;
  let dir: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "llamadesk-pullModel-"));
    model = await readFile(await writeTinyLlamaGguf({ path: join(work, "source", "tiny.gguf") }));
    server = await startModelServer();
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  beforeEach(async (context) => {
    dir = join(work, context.task.name.replace(/\W+/g, "-").slice(0, 40));
    server.mode = "serve";
    server.requests.length = 0;
  });

  it("reports progress up to the total and sends the given headers", async () => {
    server.setFile("/private/tiny.gguf", model);
    const progress: Array<{ downloadedBytes: number; totalBytes: number }> = [];
    const result = await pullModel({
      uri: `${server.origin}/private/tiny.gguf`,
      dir,
      headers: { Authorization: "Bearer secret" },
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ path: join(dir, "tiny.gguf"), bytes: model.length, alreadyPresent: false });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.totalBytes === model.length)).toBe(true);
    expect(progress.at(-1)!.downloadedBytes).toBe(model.length);
    const fileRequests = server.requests.filter((r) => r.path === "/private/tiny.gguf");
    expect(fileRequests.length).toBeGreaterThan(0);
    expect(fileRequests.every((r) => r.authorization === "Bearer secret")).toBe(true);
  });

  it("resolves an hf:<user>/<repo>:<quant> URI through the endpoint's manifest", async () => {
    server.setFile("/v2/someone/Tiny-Chat-GGUF/manifests/Q4_0", Buffer.from(JSON.stringify({ ggufFile: { rfilename: "tiny-chat.Q4_0.gguf" } })));
    server.setFile("/someone/Tiny-Chat-GGUF/resolve/main/tiny-chat.Q4_0.gguf", model);
    const result = await pullModel({ uri: "hf:someone/Tiny-Chat-GGUF:Q4_0", dir, huggingFaceEndpoint: `${server.origin}/` });
    expect(result.path).toBe(join(dir, "hf_someone_Tiny-Chat.Q4_0.gguf"));
    expect((await readFile(result.path)).equals(model)).toBe(true);
  });

  it("stops on abort without waiting for the stall timeout, keeping what arrived", async () => {
    server.setFile("/abort.gguf", model);
    server.mode = "cutThenHang";
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    // Cancelled once the partial file is on disk (however long the download worker takes to get there). The stall
    // timeout is far beyond the test's own, so only the abort can end this pull in time; it rejects with its reason.
    void (async () => {
      while ((await readdir(dir).catch(() => [])).length === 0) await new Promise((r) => setTimeout(r, 50));
      controller.abort(reason);
    })();
    await expect(pullModel({ uri: `${server.origin}/abort.gguf`, dir, signal: controller.signal, stallTimeoutMs: 600_000 })).rejects.toBe(reason);
    const left = await readdir(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe("abort.gguf");
  });

  it("rejects bad options before touching the network", async () => {
    for (const options of [{ connectTimeoutMs: 0 }, { stallTimeoutMs: Number.NaN }, { huggingFaceEndpoint: "mirror.local" }, { uri: "models/x.gguf" }]) {
      const error = await pullModel({ dir, ...options }).catch((e: unknown) => e);
      expect(isLlamadeskError(error, "INVALID_OPTION")).toBe(true);
    }
    expect(server.requests).toEqual([]);
  });
});
