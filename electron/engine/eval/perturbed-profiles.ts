import * as tf from '@tensorflow/tfjs-core';
import { ROBUST_LGG } from '../../../shared/lgg-options.js';
import type { Evaluation } from '../../../shared/spec/evaluation.js';
import { buildLgg } from '../lgg/graph.js';
import { labelSmoothness, oneHot } from '../lgg/smoothness.js';
import { readTidy } from '../nn/read.js';
import type { Model } from '../models/model.js';
import { Rng, Stream } from '../../../shared/rng.js';
import type { Classifier, EvalSet } from './eval-set.js';
import { addPattern, gaussianPattern } from './gaussian-noise.js';
import { describePgd, pgdAttack } from './pgd.js';

/** σ (m = 1) of the robustness LGG at each tap, for a batch given in input space. */
export async function sigmaProfile(
  model: Model,
  normalize: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  classes: number,
  taps: readonly string[],
): Promise<number[]> {
  const values = await readTidy(() => {
    const out = model.forward(normalize(x), { training: false, bnUpdates: [] }, new Set(taps));
    const y = oneHot(labels, classes);
    const sigmas = taps.map((t) => {
      const rep = out.taps.get(t);
      return rep ? labelSmoothness(buildLgg(rep, ROBUST_LGG).graph, y, 1) : tf.scalar(Number.NaN);
    });
    return tf.stack(sigmas);
  });
  return Array.from(values);
}

/**
 * σ profiles of the probe batch under the evaluation's perturbations (METHODS.md §5 and §6): the
 * first Gaussian pattern at every ε and every PGD configuration. Keys name the perturbation
 * (`gaussian ε=0.2`, `pgd ε=0.01, step 0.002 × 20`); values follow `taps`.
 */
export async function perturbedProfiles(
  model: Model,
  classifier: Classifier,
  normalize: (x: tf.Tensor) => tf.Tensor,
  probe: EvalSet,
  classes: number,
  taps: readonly string[],
  evaluation: Evaluation,
  seed: number,
): Promise<Record<string, number[]>> {
  const profiles: Record<string, number[]> = {};
  const x = tf.tensor(probe.x, [probe.n, ...probe.shape], 'float32');
  const labels = tf.tensor1d(probe.labels, 'int32');
  try {
    const g = evaluation.gaussian;
    if (g) {
      const pattern = gaussianPattern(probe.shape, g.sigma, seed, 0);
      for (const eps of g.epsilons) {
        const xp = addPattern(x, pattern, eps, probe);
        try {
          profiles[`gaussian ε=${eps}`] = await sigmaProfile(model, normalize, xp, labels, classes, taps);
        } finally {
          xp.dispose();
        }
      }
    }
    for (const [k, cfg] of evaluation.pgd.entries()) {
      const { adv, brokenBefore } = pgdAttack(
        classifier,
        x,
        labels,
        cfg,
        probe.bounds,
        new Rng(seed, Stream.noise, 0x9e, k),
      );
      try {
        profiles[`pgd ${describePgd(cfg)}`] = await sigmaProfile(
          model,
          normalize,
          adv,
          labels,
          classes,
          taps,
        );
      } finally {
        tf.dispose([adv, brokenBefore]);
      }
    }
  } finally {
    tf.dispose([x, labels]);
  }
  return profiles;
}
