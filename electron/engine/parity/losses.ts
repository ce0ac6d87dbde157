import * as tf from '@tensorflow/tfjs-core';
import { GKD_LGG, LggOptionsSchema } from '../../../shared/lgg-options.js';
import { pixelClassifier } from '../eval/eval-set.js';
import { inputGradient } from '../eval/fgsm.js';
import { buildLgg } from '../lgg/graph.js';
import { oneHot } from '../lgg/smoothness.js';
import { gkdLoss } from '../methods/gkd.js';
import { kdLoss } from '../methods/kd.js';
import { laplacianRegulariser } from '../methods/laplacian.js';
import { parsevalRetraction } from '../methods/parseval.js';
import { rkdAngle, rkdDistance } from '../methods/rkd.js';
import { smoothnessLoss } from '../methods/smoothness-loss.js';
import { spLoss } from '../methods/sp.js';
import { createModel } from '../models/registry.js';
import { crossEntropy } from '../train/losses.js';
import { randomArrays, type Arrays, type Computation } from './compare.js';
import type { ParityCase } from './cases.js';

// Every loss and regulariser of the lab, value and gradient: random representations of a batch of
// 8 (two per class of 4), so graphs, kNN masks and angles are generic (no ties).
const B = 8;
const LABELS = Int32Array.from({ length: B }, (_, i) => i % 4);

function batch(): Arrays {
  const a = randomArrays({ t: [B, 12], s: [B, 6], t2: [B, 2, 2, 3], s2: [B, 10], w: [3, 3, 4, 6] }, 3);
  a.y = { values: LABELS, shape: [B] };
  return a;
}

type T = Record<string, tf.Tensor>;

/** The value of `loss` and its gradient with respect to the named inputs. */
function valueAndGrad(loss: (t: T, wrt: tf.Tensor[]) => tf.Scalar, wrt: string[]): () => Computation {
  return () => ({
    run: (t) => {
      const { value, grads } = tf.valueAndGrads((...s: tf.Tensor[]) => loss(t, s))(wrt.map((k) => t[k]!));
      return [value, ...grads];
    },
  });
}

const labels = (t: T): tf.Tensor1D => t.y as tf.Tensor1D;
const logits = (x: tf.Tensor): tf.Tensor2D => tf.slice(x, [0, 0], [B, 4]) as tf.Tensor2D;

/** The smoothness loss of the features `s` against the labels, as a parity computation. */
function smoothness(similarity: 'cosine' | 'rbf', normalize: boolean): () => Computation {
  return valueAndGrad(
    (t, [s]) =>
      smoothnessLoss(s as tf.Tensor2D, labels(t), { similarity, rbfAlpha: 1, weight: 1, normalize }),
    ['s'],
  );
}

const LOSSES: [string, () => Computation][] = [
  ['cross-entropy', valueAndGrad((t, [s]) => crossEntropy(logits(s!), labels(t)), ['s'])],
  [
    'GKD (cosine LGG, the teacher’s kNN mask, 2 pairs)',
    valueAndGrad(
      (t, [s, s2]) =>
        gkdLoss([t.t!, t.t2!], [s!, s2!], {
          weight: 25,
          reduction: 'sum',
          lgg: LggOptionsSchema.parse({ k: 3, maskSource: 'teacher' }),
        }).total,
      ['s', 's2'],
    ),
  ],
  [
    'GKD (dense, the paper’s graph)',
    valueAndGrad(
      (t, [s]) => gkdLoss([t.t!], [s!], { weight: 1, reduction: 'mean', lgg: GKD_LGG }).total,
      ['s'],
    ),
  ],
  [
    'KD (T = 4, α = 0.9)',
    valueAndGrad(
      (t, [s]) => {
        const ce = crossEntropy(logits(s!), labels(t));
        return kdLoss(logits(s!), logits(t.t!), ce, { temperature: 4, alpha: 0.9 }).total;
      },
      ['s'],
    ),
  ],
  ['RKD-D', valueAndGrad((t, [s]) => rkdDistance(t.t!, s!), ['s'])],
  ['RKD-A', valueAndGrad((t, [s]) => rkdAngle(t.t!, s!), ['s'])],
  ['SP', valueAndGrad((t, [s]) => spLoss(t.t!, s!), ['s'])],
  ['smoothness loss (cosine LGG)', smoothness('cosine', true)],
  ['smoothness loss (RBF)', smoothness('rbf', false)],
  [
    'Laplacian σ regulariser (m = 2, 3 layers)',
    valueAndGrad(
      (t, reps) =>
        laplacianRegulariser(reps, oneHot(labels(t), 4), LABELS, { gamma: 0.5, m: 2, sigma: 'raw' }).weighted,
      ['s', 's2', 't2'],
    ),
  ],
  [
    'LGG (kNN k = 3, sym-normalised, squared)',
    valueAndGrad((_t, [s]) => tf.sum(buildLgg(s!, LggOptionsSchema.parse({ k: 3, power: 2 })).graph), ['s']),
  ],
  ['Parseval retraction (β = 0.01)', () => ({ run: (t) => [parsevalRetraction(t.w!, 0.01)] })],
];

/** The input gradient of a small classifier: what FGSM and PGD step along. */
const ATTACK_CASE: ParityCase = {
  name: 'input gradient of a classifier (FGSM, PGD)',
  inputs: () => {
    const a = randomArrays({ x: [B, 8, 8, 1] }, 9);
    a.y = { values: LABELS, shape: [B] };
    return a;
  },
  make: () => {
    const model = createModel({ arch: 'ref-cnn', width: 0.25 }, [8, 8, 1], 4, 2);
    const classifier = pixelClassifier(model, { mean: [0.3], std: [0.2] });
    return {
      run: ({ x, y }) => [inputGradient(classifier, x!, y as tf.Tensor1D)],
      cleanup: () => model.params.dispose(),
    };
  },
};

/** One case per loss or regulariser (value and gradient), and the attacks' input gradient. */
export const LOSS_CASES: readonly ParityCase[] = [
  ...LOSSES.map(([name, make]) => ({ name, inputs: batch, make })),
  ATTACK_CASE,
];
