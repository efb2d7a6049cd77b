import { useLitePool } from "../../src/knowledge/pool/useLitePool.js";
import { describeEmbedderContract } from "./Embedder.contract.js";

// The default on a machine with several cores: USE-lite in worker threads.
describeEmbedderContract("USE-lite worker pool (2 workers)", async () => useLitePool({ workers: 2 }));
