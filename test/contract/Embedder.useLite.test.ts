import { UseLiteEmbedder } from "../../src/knowledge/UseLiteEmbedder.js";
import { describeEmbedderContract } from "./Embedder.contract.js";

// The embedded default, in this thread (embedWorkers: 1).
describeEmbedderContract("USE-lite (in-thread)", async () => new UseLiteEmbedder());
