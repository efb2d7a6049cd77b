import { mulberry32, randomUnitVector } from "../../bench/lib/random.js";

/** The benchmarks' seeded PRNG, so test vectors are the same on every run. */
export const seededRandom = mulberry32;

export function randomUnitVectors(n: number, dimensions: number, random: () => number): number[][] {
  return Array.from({ length: n }, () => randomUnitVector(random, dimensions));
}
