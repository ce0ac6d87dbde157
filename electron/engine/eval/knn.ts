import * as tf from '@tensorflow/tfjs-core';
import { readTidy } from '../nn/read.js';
import { normalizeRows } from '../lgg/graph.js';

/** How embeddings are compared: Euclidean distance, or cosine similarity (scale-invariant). */
export type EmbeddingMetric = 'euclidean' | 'cosine';

/** Most query × reference scores computed at once (≈ 16 MB of float32). */
const MAX_SCORES = 4_000_000;

/**
 * k-NN and nearest-class-mean classifiers on embeddings (METHODS.md §4), fitted on reference
 * (training) embeddings. Queries are scored in row chunks, so a 10,000 × 10,000 distance matrix
 * never exists at once.
 *
 * Euclidean neighbours are ranked by 2⟨q, r⟩ − ‖r‖² (the query's own ‖q‖² does not change the
 * order), after centring everything on the reference mean so the expansion stays accurate in
 * float32. Cosine neighbours are ranked by ⟨q̂, r̂⟩ of row-normalised embeddings; the class means
 * are then means of normalised embeddings, compared by cosine.
 *
 * Holds tensors: call {@link dispose}.
 */
export class EmbeddingClassifier {
  private constructor(
    /** Metric. */
    readonly metric: EmbeddingMetric,
    /** Number of classes. */
    readonly classes: number,
    /** Reference labels. */
    readonly labels: Int32Array,
    private readonly center: tf.Tensor2D | null,
    private readonly reference: tf.Tensor2D,
    private readonly referenceSq: tf.Tensor1D,
    private readonly means: tf.Tensor2D,
    private readonly meanBias: tf.Tensor1D,
  ) {}

  /** Fits on reference embeddings [N, E] with their labels (the tensor is not taken over). */
  static fit(
    reference: tf.Tensor2D,
    labels: Int32Array,
    classes: number,
    metric: EmbeddingMetric,
  ): EmbeddingClassifier {
    if (reference.shape[0] !== labels.length) {
      throw new Error(
        `EmbeddingClassifier.fit: ${reference.shape[0]} embeddings for ${labels.length} labels`,
      );
    }
    const counts = new Float32Array(classes);
    for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
    // Kept: a fit may be made inside someone else's tf.tidy (an evaluation batch) and must outlive it.
    const center = metric === 'euclidean' ? tf.keep<tf.Tensor2D>(tf.mean(reference, 0, true)) : null;
    const [ref, refSq, means, meanBias] = tf.tidy(() => {
      const r = metric === 'cosine' ? normalizeRows(reference) : tf.sub(reference, center ?? 0);
      const y = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), 'float32');
      const present = tf.tensor1d(
        Array.from(counts, (c) => (c > 0 ? 1 : 0)),
        'float32',
      );
      const sums = tf.matMul(y, r, true, false);
      let m = tf.div<tf.Tensor2D>(sums, tf.expandDims(tf.maximum(tf.tensor1d(counts), 1), 1));
      if (metric === 'cosine') m = normalizeRows(m);
      // Absent classes can never win: a huge negative score.
      const absent = tf.mul(tf.sub(1, present), -1e30);
      const bias = metric === 'cosine' ? absent : tf.sub(absent, tf.sum(tf.square(m), 1));
      const sq = metric === 'cosine' ? tf.zeros([labels.length]) : tf.sum(tf.square(r), 1);
      return [r, sq, m, bias].map((t) => tf.keep(t));
    }) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    return new EmbeddingClassifier(metric, classes, labels, center, ref, refSq, means, meanBias);
  }

  /** Number of reference embeddings. */
  get size(): number {
    return this.labels.length;
  }

  /** Queries in the metric's space (centred or normalised). */
  private prepare(q: tf.Tensor2D): tf.Tensor2D {
    return this.metric === 'cosine' ? normalizeRows(q) : tf.sub(q, this.center ?? 0);
  }

  /** Scores (higher = closer) of prepared queries against reference rows or class means. */
  private scores(q: tf.Tensor2D, against: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
    const dot = tf.matMul(q, against, false, true);
    return this.metric === 'cosine' ? tf.add(dot, bias) : tf.sub(tf.mul(dot, 2), bias);
  }

  /**
   * Nearest-class-mean predictions [Q] (int32), as a tensor so it can be used inside other
   * tensor code (e.g. an evaluation batch).
   */
  predictMean(queries: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const s =
        this.metric === 'cosine'
          ? tf.add(tf.matMul(this.prepare(queries), this.means, false, true), this.meanBias)
          : tf.add(tf.mul(tf.matMul(this.prepare(queries), this.means, false, true), 2), this.meanBias);
      return tf.cast(tf.argMax(s, 1), 'int32') as tf.Tensor1D;
    });
  }

  /**
   * k-NN predictions for every k in `ks` (majority vote among the k nearest references; a tie
   * goes to the tied class whose nearest member ranks first). k is capped at the reference size.
   * At most `maxScores` query × reference scores exist at once.
   */
  async predictKnn(
    queries: tf.Tensor2D,
    ks: readonly number[],
    maxScores = MAX_SCORES,
  ): Promise<Map<number, Int32Array>> {
    const nq = queries.shape[0];
    const kMax = Math.min(this.size, Math.max(1, ...ks));
    const out = new Map<number, Int32Array>(ks.map((k) => [k, new Int32Array(nq)]));
    const rows = Math.max(1, Math.floor(maxScores / Math.max(1, this.size)));
    const counts = new Int32Array(this.classes);
    const first = new Int32Array(this.classes);
    for (let s = 0; s < nq; s += rows) {
      const n = Math.min(rows, nq - s);
      const ix = await readTidy(() => {
        const q = this.prepare(tf.slice(queries, [s, 0], [n, -1]));
        return tf.topk(this.scores(q, this.reference, this.referenceSq), kMax, true).indices;
      });
      for (let r = 0; r < n; r++) {
        for (const [k, pred] of out) {
          counts.fill(0);
          first.fill(kMax);
          const kk = Math.min(k, kMax);
          for (let j = 0; j < kk; j++) {
            const c = this.labels[ix[r * kMax + j] ?? 0] ?? 0;
            counts[c] = (counts[c] ?? 0) + 1;
            if ((first[c] ?? kMax) > j) first[c] = j;
          }
          let best = 0;
          for (let c = 1; c < this.classes; c++) {
            const better = (counts[c] ?? 0) > (counts[best] ?? 0);
            const tie =
              (counts[c] ?? 0) === (counts[best] ?? 0) && (first[c] ?? kMax) < (first[best] ?? kMax);
            if (better || tie) best = c;
          }
          pred[s + r] = best;
        }
      }
    }
    return out;
  }

  /** Frees the fitted tensors. */
  dispose(): void {
    tf.dispose([
      this.reference,
      this.referenceSq,
      this.means,
      this.meanBias,
      ...(this.center ? [this.center] : []),
    ]);
  }
}

/** Number of equal entries of two label arrays. */
export function countEqual(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) n++;
  return n;
}
