/** One question's best match: its match confidence, and whether the best passage was a right one. */
export interface ScoredQuestion {
  confidence: number;
  right: boolean;
}

export interface CalibrationRow {
  minConfidence: number;
  /** Share of the labelled questions the bot would answer (confidence at or above the threshold). */
  answered: number;
  /** Of the labelled questions whose best passage is right, the share that would be declined. */
  rightDeclined: number;
  /** Share of the off-topic questions that would be answered anyway; absent without off-topic questions. */
  offTopicAnswered?: number;
}

export interface Calibration {
  rows: CalibrationRow[];
  /** Match confidence of the labelled questions whose best passage is right: 10th, 25th and 50th percentile. */
  right: { p10: number; p25: number; p50: number } | null;
  /** Match confidence of the off-topic questions: 50th, 90th and 95th percentile. */
  offTopic: { p50: number; p90: number; p95: number } | null;
}

/** The thresholds a report shows: 0.40 to 1.00 by 0.05, and the configured one. */
export function calibrationThresholds(configured: number): number[] {
  const grid = Array.from({ length: 13 }, (_, i) => Math.round((0.4 + i * 0.05) * 100) / 100);
  return [...new Set([...grid, configured])].sort((a, b) => a - b);
}

/**
 * What `minConfidence` would do with this embedder and knowledge: for each threshold, how many labelled questions are
 * answered, how many right answers are declined, and (given questions the knowledge cannot answer) how many of those
 * are answered anyway. The shipped 0.7 was chosen on USE-lite's cosine scale; another embedder's cosines sit elsewhere.
 */
export function calibrate(questions: readonly ScoredQuestion[], offTopic: readonly number[], thresholds: readonly number[]): Calibration {
  const n = questions.length || 1;
  const rightOnes = questions.filter((q) => q.right);
  const rows = thresholds.map((t): CalibrationRow => ({
    minConfidence: t,
    answered: questions.filter((q) => q.confidence >= t).length / n,
    rightDeclined: rightOnes.filter((q) => q.confidence < t).length / (rightOnes.length || 1),
    ...(offTopic.length > 0 ? { offTopicAnswered: offTopic.filter((c) => c >= t).length / offTopic.length } : {}),
  }));
  const right = rightOnes.map((q) => q.confidence);
  return {
    rows,
    right: right.length === 0 ? null : { p10: percentile(right, 0.1), p25: percentile(right, 0.25), p50: percentile(right, 0.5) },
    offTopic: offTopic.length === 0 ? null : { p50: percentile(offTopic, 0.5), p90: percentile(offTopic, 0.9), p95: percentile(offTopic, 0.95) },
  };
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The calibration as report lines. */
export function formatCalibration(c: Calibration, configured: number, embedderId: string): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    "",
    `Answerability calibration for ${embedderId} (match confidence = cosine + 0.5 x word coverage; the shipped minConfidence 0.7 is calibrated on use-lite):`,
  ];
  if (c.right) lines.push(`  right best matches: confidence p10 ${c.right.p10.toFixed(3)}, p25 ${c.right.p25.toFixed(3)}, median ${c.right.p50.toFixed(3)}`);
  if (c.offTopic) lines.push(`  off-topic questions: confidence median ${c.offTopic.p50.toFixed(3)}, p90 ${c.offTopic.p90.toFixed(3)}, p95 ${c.offTopic.p95.toFixed(3)}`);
  lines.push(`  minConfidence  answered  right declined${c.offTopic ? "  off-topic answered" : ""}`);
  for (const row of c.rows) {
    const mark = row.minConfidence === configured ? " (configured)" : "";
    const off = row.offTopicAnswered === undefined ? "" : `  ${pct(row.offTopicAnswered).padStart(18)}`;
    lines.push(`  ${row.minConfidence.toFixed(2).padStart(13)}  ${pct(row.answered).padStart(8)}  ${pct(row.rightDeclined).padStart(14)}${off}${mark}`);
  }
  if (!c.offTopic) lines.push("  Add --off-topic FILE (questions your knowledge cannot answer, one per line) to see how many of those each threshold lets through.");
  return lines;
}
