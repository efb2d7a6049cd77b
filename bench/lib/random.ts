/** A tiny seeded PRNG (mulberry32): repeatable random data without a dependency. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = 1 - random(); // (0, 1], so log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A unit vector uniformly distributed on the sphere (normalised Gaussian). */
export function randomUnitVector(random: () => number, dimensions: number): number[] {
  const v = new Array<number>(dimensions);
  let sum = 0;
  for (let i = 0; i < dimensions; i++) {
    const x = gaussian(random);
    v[i] = x;
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dimensions; i++) v[i] = v[i]! / norm;
  return v;
}

/** A seeded Fisher–Yates shuffle (returns a new array). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Unit vectors with a low intrinsic dimension, closer to real sentence embeddings than
 * uniform ones: a `latent`-d Gaussian through a fixed random linear map into
 * `dimensions`, plus isotropic noise of standard deviation `noise`, normalised.
 */
export function lowRankSource(random: () => number, dimensions: number, latent = 32, noise = 0.5): () => number[] {
  const map = Array.from({ length: dimensions }, () => Array.from({ length: latent }, () => gaussian(random) / Math.sqrt(latent)));
  return () => {
    const z = Array.from({ length: latent }, () => gaussian(random));
    const v = map.map((row) => row.reduce((sum, a, j) => sum + a * z[j]!, 0) + noise * gaussian(random));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
}
