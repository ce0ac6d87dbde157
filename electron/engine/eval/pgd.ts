import * as tf from '@tensorflow/tfjs-core';
import type { Pgd } from '../../../shared/spec/evaluation.js';
import { Rng, Stream } from '../../../shared/rng.js';
import {
  clampTo,
  evaluatePerturbed,
  type Bounds,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from './eval-set.js';
import { inputGradient } from './fgsm.js';

/**
 * Projected gradient descent in L∞ (Madry et al.), in input space: from x (or a uniform random
 * point of the ε-ball, clamped), `iterations` times x′ ← clamp(Π_ε(x′ + step·sign(∇ₓ′ CE))), with
 * Π_ε the projection on [x − ε, x + ε]. `rng` draws the random start.
 */
export function pgdAttack(
  classifier: Classifier,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  cfg: Pgd,
  bounds: Bounds,
  rng?: Rng,
): tf.Tensor {
  const lo = tf.sub(x, cfg.epsilon);
  const hi = tf.add(x, cfg.epsilon);
  let adv: tf.Tensor = x;
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
      adv = tf.tidy(() => {
        const step = tf.add(prev, tf.mul(tf.sign(inputGradient(classifier, prev, labels)), cfg.step));
        return clampTo(tf.minimum(tf.maximum(step, lo), hi), bounds);
      });
      if (prev !== x) prev.dispose();
    }
    return adv === x ? tf.clone(x) : adv;
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
  /** SNR measured on the adversarial images. */
  snrDb: number;
  /** Accuracy on them. */
  accuracy: number;
}

/** PGD L∞ accuracy for every configuration. */
export async function pgdEvaluation(
  set: EvalSet,
  classifier: Classifier,
  configs: readonly Pgd[],
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<PgdRow[]> {
  const rows: PgdRow[] = [];
  for (const [k, cfg] of configs.entries()) {
    const r = await evaluatePerturbed(set, classifier, io, `PGD ε=${round(cfg.epsilon)}`, batchSize, (b) =>
      pgdAttack(classifier, b.x, b.labels, cfg, set.bounds, new Rng(seed, Stream.noise, 0x9d, k, b.start)),
    );
    if (io.cancelled()) return rows;
    rows.push({ cfg, snrDb: r.snrDb, accuracy: r.accuracy });
  }
  return rows;
}
