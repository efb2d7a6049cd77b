import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  /** The Range header, when the client sent one. */
  range?: string;
  authorization?: string;
}

/**
 * - `serve`: answers every request, honouring `Range` (206) like a CDN does.
 * - `cutThenHang`: serves the ranged request that starts at byte 0 in full; every other ranged response
 *   sends 1 MiB, waits for that one to finish, and is cut; from then on nothing is answered: a network
 *   that drops midway, after the first part of the file arrived.
 * - `hang`: accepts connections and never answers.
 */
export type ModelServerMode = "serve" | "cutThenHang" | "hang";

export interface ModelServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order; clear it between runs. */
  requests: RecordedRequest[];
  mode: ModelServerMode;
  /** Serves `body` at `path` (and 404 elsewhere). */
  setFile(path: string, body: Buffer): void;
  close(): Promise<void>;
}

/** A local HTTP server that serves model files for download tests, recording what it was asked. */
export async function startModelServer(): Promise<ModelServer> {
  const files = new Map<string, Buffer>();
  const sockets = new Set<Socket>();
  let cut = false;
  let zeroServed = resolvable();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const { range, authorization } = req.headers;
    state.requests.push({ method: req.method ?? "", path, ...(range ? { range } : {}), ...(authorization ? { authorization } : {}) });
    if (state.mode === "hang" || (state.mode === "cutThenHang" && cut)) return; // never answer
    const body = files.get(path);
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = match ? Number(match[1]) : 0;
    const end = match?.[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1;
    res.writeHead(match ? 206 : 200, {
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      "content-length": String(end - start + 1),
      ...(match ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    if (state.mode === "cutThenHang" && match && start > 0) {
      res.write(body.subarray(start, Math.min(end + 1, start + (1 << 20))));
      void zeroServed.promise.then(() => {
        cut = true;
        res.destroy();
      });
      return;
    }
    res.end(body.subarray(start, end + 1), () => {
      if (match && start === 0) zeroServed.resolve();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");

  const state: ModelServer = {
    origin: `http://127.0.0.1:${address.port}`,
    requests: [],
    mode: "serve",
    setFile(path, body) {
      files.set(path, body);
      cut = false;
      zeroServed = resolvable();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}

function resolvable(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
