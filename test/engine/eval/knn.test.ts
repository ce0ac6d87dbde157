import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingClassifier, countEqual } from '../../../electron/engine/eval/knn.js';
import { Rng } from '../../../shared/rng.js';
import { useBackend } from '../../helpers/backend.js';

/** Brute-force k-NN in float64 with the same tie rule (the tied class whose nearest member ranks first). */
function bruteKnn(
  ref: number[][],
  labels: number[],
  q: number[],
  k: number,
  classes: number,
  cosine: boolean,
): number {
  const norm = (v: number[]): number[] => {
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  };
  const a = cosine ? norm(q) : q;
  const order = ref
    .map((r, i) => {
      const b = cosine ? norm(r) : r;
      const score = cosine
        ? -b.reduce((s, x, j) => s + x * a[j]!, 0)
        : b.reduce((s, x, j) => s + (x - a[j]!) ** 2, 0);
      return { i, score };
    })
    .sort((x, y) => x.score - y.score || x.i - y.i)
    .slice(0, k);
  const counts = new Array<number>(classes).fill(0);
  const first = new Array<number>(classes).fill(k);
  order.forEach(({ i }, rank) => {
    const c = labels[i]!;
    counts[c]!++;
    first[c] = Math.min(first[c]!, rank);
  });
  let best = 0;
  for (let c = 1; c < classes; c++)
    if (counts[c]! > counts[best]! || (counts[c] === counts[best] && first[c]! < first[best]!)) best = c;
  return best;
}

describe('k-NN and nearest-class-mean classifiers on embeddings', () => {
  beforeAll(() => useBackend('cpu'));

  it('classifies hand-placed points (1-NN, 3-NN with a tie, class means)', async () => {
    // Class 0 around (0, 0), class 1 around (4, 0), one class-1 outlier at (1, 0).
    const ref = tf.tensor2d([0, 0, 0, 1, 4, 0, 4, 1, 1, 0], [5, 2]);
    const labels = Int32Array.from([0, 0, 1, 1, 1]);
    const clf = EmbeddingClassifier.fit(ref, labels, 2, 'euclidean');
    const q = tf.tensor2d([1.2, 0, 3, 0.5, -1, 0], [3, 2]);
    const knn = await clf.predictKnn(q, [1, 3]);
    // (1.2, 0): nearest is the outlier (class 1); 3-NN = outlier, (0,0), (0,1) → class 0.
    expect(Array.from(knn.get(1)!)).toEqual([1, 1, 0]);
    expect(Array.from(knn.get(3)!)).toEqual([0, 1, 0]);
    // Means (0, 0.5) and (3, 1/3): (1.2, 0) is nearer class 0's.
    const mean = tf.tidy(() => Array.from(clf.predictMean(q).dataSync()));
    expect(mean).toEqual([0, 1, 0]);
    // k = 2 at (2, 0): one neighbour of each class, the nearest (the outlier at distance 1) wins.
    const tie = tf.tensor2d([2, 0], [1, 2]);
    expect(Array.from((await clf.predictKnn(tie, [2])).get(2)!)).toEqual([1]);
    clf.dispose();
    tf.dispose([ref, q, tie]);
  });

  it.each(['euclidean', 'cosine'] as const)('chunked %s k-NN equals brute force', async (metric) => {
    const rng = new Rng(3);
    const n = 120;
    const d = 6;
    const classes = 4;
    const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => rng.normal() * 2));
    const labels = Array.from({ length: n }, (_, i) => i % classes);
    const refRows = labels.map((c) => centres[c]!.map((m) => m + rng.normal() * 1.5 + 10));
    const qRows = Array.from({ length: 37 }, (_, i) =>
      centres[i % classes]!.map((m) => m + rng.normal() * 1.5 + 10),
    );
    const ref = tf.tensor2d(refRows);
    const q = tf.tensor2d(qRows);
    const clf = EmbeddingClassifier.fit(ref, Int32Array.from(labels), classes, metric);
    // maxScores 500 → 4 query rows per chunk.
    const got = await clf.predictKnn(q, [1, 5, 10], 500);
    for (const k of [1, 5, 10]) {
      const want = qRows.map((row) => bruteKnn(refRows, labels, row, k, classes, metric === 'cosine'));
      expect(Array.from(got.get(k)!), `k=${k}`).toEqual(want);
    }
    clf.dispose();
    tf.dispose([ref, q]);
  });

  it('never predicts a class absent from the fit, and frees its tensors', () => {
    const before = tf.memory().numTensors;
    const ref = tf.tensor2d([0, 0, 5, 5], [2, 2]);
    const clf = EmbeddingClassifier.fit(ref, Int32Array.from([0, 2]), 3, 'euclidean');
    const q = tf.tensor2d([0, 0, 5, 5, -100, 0], [3, 2]);
    const pred = tf.tidy(() => Array.from(clf.predictMean(q).dataSync()));
    expect(pred).toEqual([0, 2, 0]);
    expect(countEqual(pred, [0, 2, 2])).toBe(2);
    clf.dispose();
    tf.dispose([ref, q]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
