import { LlamadeskError } from "../errors.js";

/** The similarity a question needs to its cluster's centre to join it. Calibrated on banking77 train: the best F of purity and intent recall (bench/insights.ts, README "Benchmarks"). */
export const DEFAULT_GAP_THRESHOLD = 0.7;

export interface ClusterOptions {
  /** Cosine similarity to a cluster's centre (0..1) a question needs to join it. Defaults to DEFAULT_GAP_THRESHOLD. */
  threshold?: number;
}

/** One cluster: the indexes of its members (in input order), and the unit-length centre of their vectors. */
export interface QuestionCluster {
  members: number[];
  centroid: number[];
}

/**
 * Groups unit-length vectors by meaning, deterministically: in input order (give the most important first),
 * each joins the cluster whose centre is most similar, if that similarity reaches the threshold, else starts
 * a cluster of its own. A second pass puts every vector in the final centre nearest it (so an early member
 * is not kept in a cluster that drifted away), then the centres are recomputed. Same input, same clusters.
 * O(n × clusters × dimensions): a few thousand questions take well under a second.
 */
export function clusterQuestions(vectors: readonly (readonly number[])[], options: ClusterOptions = {}): QuestionCluster[] {
  const threshold = options.threshold ?? DEFAULT_GAP_THRESHOLD;
  if (!(typeof threshold === "number" && threshold >= -1 && threshold <= 1)) {
    throw new LlamadeskError("INVALID_OPTION", `clusterQuestions: threshold must be a cosine similarity from -1 to 1 (got ${threshold}).`);
  }
  const sums: Float64Array[] = [];
  const centres: Float64Array[] = [];
  for (const vector of vectors) {
    const [best, similarity] = nearest(centres, vector);
    if (best >= 0 && similarity >= threshold) {
      add(sums[best]!, vector);
      centres[best] = unit(sums[best]!);
    } else {
      sums.push(Float64Array.from(vector));
      centres.push(unit(sums[sums.length - 1]!));
    }
  }
  // Reassign to the final centres: the clusters the first pass found, without its order's accidents.
  const members: number[][] = centres.map(() => []);
  vectors.forEach((vector, i) => members[nearest(centres, vector)[0]]!.push(i));
  return members
    .filter((m) => m.length > 0)
    .map((m) => {
      const sum = new Float64Array(vectors[0]!.length);
      for (const i of m) add(sum, vectors[i]!);
      return { members: m, centroid: Array.from(unit(sum)) };
    });
}

function nearest(centres: readonly Float64Array[], vector: readonly number[]): [number, number] {
  let best = -1;
  let bestSimilarity = -Infinity;
  for (let c = 0; c < centres.length; c++) {
    const centre = centres[c]!;
    let dot = 0;
    for (let d = 0; d < vector.length; d++) dot += centre[d]! * vector[d]!;
    if (dot > bestSimilarity) {
      bestSimilarity = dot;
      best = c;
    }
  }
  return [best, bestSimilarity];
}

function add(sum: Float64Array, vector: readonly number[]): void {
  for (let d = 0; d < vector.length; d++) sum[d]! += vector[d]!;
}

function unit(sum: Float64Array): Float64Array {
  let norm = 0;
  for (const x of sum) norm += x * x;
  norm = Math.sqrt(norm);
  return norm === 0 ? Float64Array.from(sum) : sum.map((x) => x / norm);
}
