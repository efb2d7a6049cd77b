import { expect, it } from "vitest";
import { calibrate, calibrationThresholds } from "../../src/eval/calibrate.js";

it("counts, per threshold, the questions answered, the share of right best matches declined and the off-topic questions let through", () => {
  const questions = [
    { confidence: 0.9, right: true },
    { confidence: 0.75, right: true },
    { confidence: 0.6, right: false },
    { confidence: 0.55, right: true },
  ];
  const { rows, right, offTopic } = calibrate(questions, [0.3, 0.5, 0.72], [0.5, 0.7, 0.8]);
  expect(rows).toEqual([
    { minConfidence: 0.5, answered: 1, rightDeclined: 0, offTopicAnswered: 2 / 3 },
    { minConfidence: 0.7, answered: 0.5, rightDeclined: 1 / 3, offTopicAnswered: 1 / 3 },
    { minConfidence: 0.8, answered: 0.25, rightDeclined: 2 / 3, offTopicAnswered: 0 },
  ]);
  expect(right).toEqual({ p10: 0.55, p25: 0.55, p50: 0.75 });
  expect(offTopic).toEqual({ p50: 0.5, p90: 0.72, p95: 0.72 });
  expect(calibrate(questions, [], [0.7]).rows[0]).not.toHaveProperty("offTopicAnswered");
  expect(calibrationThresholds(0.62)).toContain(0.62);
  expect(calibrationThresholds(0.7).filter((t) => t === 0.7)).toHaveLength(1);
});
