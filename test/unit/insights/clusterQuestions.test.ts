import { describe, expect, it } from "vitest";
import { isLlamadeskError } from "../../../src/errors.js";
import { clusterQuestions } from "../../../src/insights/clusterQuestions.js";
import { normalize } from "../../../src/knowledge/Embedder.js";
import { UseLiteEmbedder } from "../../../src/knowledge/UseLiteEmbedder.js";

const unit = (...xs: number[]) => normalize(xs);

describe("clusterQuestions", () => {
  it("groups vectors near one another and keeps the far ones apart, in input order", () => {
    const vectors = [unit(1, 0, 0), unit(0, 1, 0), unit(0.95, 0.1, 0), unit(0, 0.9, 0.2), unit(0, 0, 1)];
    const clusters = clusterQuestions(vectors, { threshold: 0.8 });
    expect(clusters.map((c) => c.members)).toEqual([[0, 2], [1, 3], [4]]);
    for (const c of clusters) expect(Math.hypot(...c.centroid)).toBeCloseTo(1, 6);
  });

  it("compares with the cluster's centre, which moves as members join", () => {
    // b joins a's cluster (0.8 ≥ 0.75); the centre moves towards b, so c (0.6 from a) joins too (0.82 from the centre).
    const a = unit(1, 0);
    const b = unit(0.8, 0.6);
    const c = unit(0.6, 0.8);
    const clusters = clusterQuestions([a, b, c], { threshold: 0.75 });
    expect(clusters.map((cl) => cl.members)).toEqual([[0, 1, 2]]);
    expect(clusterQuestions([a, b, c], { threshold: 0.99 }).map((cl) => cl.members)).toEqual([[0], [1], [2]]);
  });

  it("gives the same clusters for the same input", () => {
    const vectors = Array.from({ length: 200 }, (_, i) => unit(Math.sin(i), Math.cos(i * 1.7), Math.sin(i * 0.3) + 1));
    expect(clusterQuestions(vectors, { threshold: 0.9 })).toEqual(clusterQuestions(vectors, { threshold: 0.9 }));
  });

  it("refuses a threshold that is not a cosine similarity", () => {
    for (const threshold of [1.5, -2, Number.NaN]) {
      let error: unknown;
      try {
        clusterQuestions([unit(1, 0)], { threshold });
      } catch (e) {
        error = e;
      }
      expect(isLlamadeskError(error, "INVALID_OPTION")).toBe(true);
    }
  });

  it("keeps labelled intents apart with the default threshold and the default embedder", async () => {
    const labelled: [string, string][] = [
      ["lost card", "I lost my card"],
      ["lost card", "My card has been stolen"],
      ["lost card", "I can't find my bank card anywhere"],
      ["lost card", "Someone stole my debit card, what do I do?"],
      ["exchange rate", "What exchange rate do you use?"],
      ["exchange rate", "How are currency conversion rates calculated?"],
      ["exchange rate", "Which exchange rate applies when I pay abroad?"],
      ["change pin", "How do I change my PIN?"],
      ["change pin", "I want to set a new PIN for my card"],
      ["change pin", "Where can I update my card's PIN number?"],
    ];
    const embedder = new UseLiteEmbedder();
    try {
      const clusters = clusterQuestions(await embedder.embed(labelled.map(([, text]) => text)));
      for (const cluster of clusters) expect(new Set(cluster.members.map((i) => labelled[i]![0])).size, JSON.stringify(cluster.members)).toBe(1);
      expect(clusters.length).toBeLessThan(labelled.length);
    } finally {
      await embedder.dispose();
    }
  });
});
