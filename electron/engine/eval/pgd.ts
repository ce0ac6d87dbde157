import * as tf from '@tensorflow/tfjs-core';
import type { Pgd } from '../../../shared/spec/evaluation.js';
import { Rng, Stream } from '../../../shared/rng.js';
import { readTidy } from '../nn/read.js';
import { batchRunner, columnSums } from '../train/batch-loop.js';
import { crossEntropySum } from '../train/losses.js';
import { clampTo, snrDb, type Bounds, type Classifier, type EvalIo, type EvalSet } from './eval-set.js';

/** What {@link pgdAttack} returns: the final iterate and which examples an earlier iterate broke. */
export interface PgdResult {
  /** The last iterate [b, …shape]. */
  adv: tf.Tensor;
  /**
   * [b] bool: misclassified at one of the iterates 1 … T − 1 (read from the forward pass of the next
   * gradient, so it costs nothing). The starting point (clean image or random start) is not counted,
   * as in Foolbox; the caller classifies the final iterate T.
   */
  brokenBefore: tf.Tensor1D;
}

/** ∇ₓ of the summed cross-entropy at x, and the logits of x from the same forward pass. */
function gradientAndLogits(
  classifier: Classifier,
  x: tf.Tensor,
  labels: tf.Tensor1D,
): { grad: tf.Tensor; logits: tf.Tensor2D } {
  let logits: tf.Tensor2D | undefined;
  const grad = tf.grad((xi: tf.Tensor) => {
    const l = classifier(xi);
    logits = tf.keep(l);
    return crossEntropySum(l, labels);
  })(x);
  if (!logits) throw new Error('the classifier produced no logits');
  return { grad, logits };
}

/**
 * Projected gradient descent in L∞ (Madry et al.; Foolbox 1.6 `ProjectedGradientDescentAttack`), in
 * input space: from x (or a uniform random point of the ε-ball, clamped), `iterations` times
 * x′ ← clamp(Π_ε(x′ + step·sign(∇ₓ′ CE))), with Π_ε the projection on [x − ε, x + ε]. `rng` draws
 * the random start. Every iterate is checked for misclassification on the way (Foolbox stops at the
 * first adversarial one); the caller disposes both tensors of the result.
 */
export function pgdAttack(
  classifier: Classifier,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  cfg: Pgd,
  bounds: Bounds,
  rng?: Rng,
): PgdResult {
  const lo = tf.sub(x, cfg.epsilon);
  const hi = tf.add(x, cfg.epsilon);
  let adv: tf.Tensor = x;
  let broken: tf.Tensor1D = tf.zeros([labels.shape[0]], 'bool');
  if (cfg.randomStart) {
    const r = (rng ?? new Rng(0, Stream.noise)).fillUniform(
      new Float32Array(x.size),
      -cfg.epsilon,
      cfg.epsilon,
    );
    adv = tf.tidy(() => clampTo(tf.add(x, tf.tensor(r, x.shape)), bounds));
  }
  try {
    for (let i = 0; i < cfg.iterations; i++) {
      const prev = adv;
      const prevBroken = broken;
      [adv, broken] = tf.tidy(() => {
        const { grad, logits } = gradientAndLogits(classifier, prev, labels);
        // Iterate i (i ≥ 1) is the one this gradient was taken at.
        const wrong =
          i === 0 ? prevBroken : tf.logicalOr(prevBroken, tf.notEqual(tf.argMax(logits, 1), labels));
        const step = tf.add(prev, tf.mul(tf.sign(grad), cfg.step));
        logits.dispose();
        return [clampTo(tf.minimum(tf.maximum(step, lo), hi), bounds), wrong as tf.Tensor1D];
      });
      if (prev !== x) prev.dispose();
      if (prevBroken !== broken) prevBroken.dispose();
    }
    return { adv: adv === x ? tf.clone(x) : adv, brokenBefore: broken };
  } finally {
    tf.dispose([lo, hi]);
  }
}

/** Short label of a configuration, e.g. `ε=0.01, step 0.002 × 20`. */
export function describePgd(cfg: Pgd): string {
  return `ε=${round(cfg.epsilon)}, step ${round(cfg.step)} × ${cfg.iterations}${cfg.randomStart ? ', random start' : ''}`;
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** One row of the PGD table. */
export interface PgdRow {
  /** The configuration. */
  cfg: Pgd;
  /** SNR measured on the final iterates. */
  snrDb: number;
  /**
   * `pgd-any-iterate` (Foolbox 1.6 semantics): fraction of examples classified correctly to begin
   * with and at every iterate.
   */
  anyIterate: number;
  /** `pgd-final-iterate`: fraction whose final iterate is classified correctly (every example attacked). */
  finalIterate: number;
  /** Examples evaluated. */
  evaluated: number;
}

/**
 * PGD L∞ for every configuration, with both countings from one attack: `pgd-any-iterate` (only
 * correctly classified examples count, broken if any iterate is misclassified: what Foolbox 1.6
 * reports, since its attack stops at the first adversarial iterate) and `pgd-final-iterate`. The
 * first is never above the second.
 */
export async function pgdEvaluation(
  set: EvalSet,
  classifier: Classifier,
  configs: readonly Pgd[],
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<PgdRow[]> {
  const rows: PgdRow[] = [];
  const per = set.shape.reduce((a, b) => a * b, 1);
  for (const [k, cfg] of configs.entries()) {
    // Each batch its own seeded stream: any replica may attack any batch.
    const r = await batchRunner(io).run(Math.ceil(set.n / batchSize), 4, (b) => {
      const s = b * batchSize;
      io.progress(`PGD ε=${round(cfg.epsilon)}: ${s}/${set.n}`);
      const e = Math.min(set.n, s + batchSize);
      return readTidy(() => {
        const x = tf.tensor(set.x.subarray(s * per, e * per), [e - s, ...set.shape], 'float32');
        const labels = tf.tensor1d(set.labels.subarray(s, e), 'int32');
        const clean = tf.equal(tf.argMax(classifier(x), 1), labels);
        const r = pgdAttack(classifier, x, labels, cfg, set.bounds, new Rng(seed, Stream.noise, 0x9d, k, s));
        const final = tf.equal(tf.argMax(classifier(r.adv), 1), labels);
        const robust = tf.logicalAnd(tf.logicalAnd(clean, tf.logicalNot(r.brokenBefore)), final);
        const count = (b: tf.Tensor): tf.Scalar => tf.sum(tf.cast(b, 'float32'));
        return tf.stack([
          count(robust),
          count(final),
          tf.sum(tf.square(x)),
          tf.sum(tf.square(tf.sub(r.adv, x))),
        ]);
      });
    });
    if (r.stopped) return rows;
    const [any = 0, fin = 0, signal = 0, noise = 0] = columnSums(r.values, 4);
    const done = Math.min(set.n, r.done * batchSize);
    const n = Math.max(1, done);
    rows.push({
      cfg,
      snrDb: snrDb(signal, noise),
      anyIterate: any / n,
      finalIterate: fin / n,
      evaluated: done,
    });
  }
  return rows;
}
