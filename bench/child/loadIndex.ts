/**
 * Loads a saved HnswVectorIndex in a fresh process and prints its memory cost as JSON.
 * Usage: node --expose-gc dist/bench/child/loadIndex.js <dir> <dimensions>
 */
import { HnswVectorIndex } from "../../src/knowledge/HnswVectorIndex.js";

export interface LoadIndexResult {
  size: number;
  loadMs: number;
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  /** Peak RSS of the process in bytes. */
  maxRss: number;
}

const [dir, dimensions] = process.argv.slice(2);
if (dir === undefined || dimensions === undefined) throw new Error("usage: loadIndex.js <dir> <dimensions>");
const gc = (globalThis as unknown as { gc?: () => void }).gc ?? (() => {});

gc();
const before = process.memoryUsage();
const start = performance.now();
const index = await HnswVectorIndex.load(dir, Number(dimensions));
const loadMs = performance.now() - start;
gc();
const after = process.memoryUsage();
const result: LoadIndexResult = { size: index.size, loadMs, before, after, maxRss: process.resourceUsage().maxRSS * 1024 };
console.log(JSON.stringify(result));
