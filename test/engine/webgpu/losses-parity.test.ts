import { it } from 'vitest';
import { GKD_LGG, LggOptionsSchema } from '../../../shared/lgg-options.js';
import { buildLgg } from '../../../electron/engine/lgg/graph.js';
import { oneHot } from '../../../electron/engine/lgg/smoothness.js';
import { gkdLoss } from '../../../electron/engine/methods/gkd.js';
import { kdLoss } from '../../../electron/engine/methods/kd.js';
import { laplacianRegulariser } from '../../../electron/engine/methods/laplacian.js';
import { parsevalRetraction } from '../../../electron/engine/methods/parseval.js';
import { rkdAngle, rkdDistance } from '../../../electron/engine/methods/rkd.js';
import { smoothnessLoss } from '../../../electron/engine/methods/smoothness-loss.js';
import { spLoss } from '../../../electron/engine/methods/sp.js';
import { createModel } from '../../../electron/engine/models/registry.js';
import { pixelClassifier } from '../../../electron/engine/eval/eval-set.js';
import { inputGradient } from '../../../electron/engine/eval/fgsm.js';
import { crossEntropy } from '../../../electron/engine/train/losses.js';
import { describeWebGpu, expectParity, randomArrays, tf, type Arrays, type Computation } from './helpers.js';

// Every loss and regulariser of the lab, value and gradient, on webgpu against cpu: the inputs are
// random representations of a batch of 8 (two per class of 4), so graphs, kNN masks and angles are
// generic (no ties). The input gradient of a trained-size classifier is what FGSM and PGD step on.
const B = 8;
/** Relative tolerance of every compared tensor (of its largest entry for near-zero entries). */
const RTOL = 2e-3;

const LABELS = Int32Array.from({ length: B }, (_, i) => i % 4);

function batch(): Arrays {
  const a = randomArrays({ t: [B, 12], s: [B, 6], t2: [B, 2, 2, 3], s2: [B, 10], w: [3, 3, 4, 6] }, 3);
  a.y = { values: LABELS, shape: [B] };
  return a;
}

/** The value of `loss(s)` and its gradient with respect to the student representation(s). */
function valueAndGrad(loss: (t: Record<string, tf.Tensor>, s: tf.Tensor[]) => tf.Scalar, wrt: string[]) {
  return (): Computation => ({
    run: (t) => {
      const f = (...s: tf.Tensor[]): tf.Scalar => loss(t, s);
      const { value, grads } = tf.valueAndGrads(f)(wrt.map((k) => t[k]!));
      return [value, ...grads];
    },
  });
}

const labels = (t: Record<string, tf.Tensor>): tf.Tensor1D => t.y as tf.Tensor1D;
const y4 = (t: Record<string, tf.Tensor>): tf.Tensor2D => oneHot(labels(t), 4);

const CASES: [string, () => Computation][] = [
  [
    'cross-entropy',
    valueAndGrad((t, [s]) => crossEntropy(s!.slice([0, 0], [B, 4]) as tf.Tensor2D, labels(t)), ['s']),
  ],
  [
    'GKD (cosine LGG, kNN mask of the teacher, 2 pairs)',
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
    'GKD (dense, paper graph)',
    valueAndGrad(
      (t, [s]) => gkdLoss([t.t!], [s!], { weight: 1, reduction: 'mean', lgg: GKD_LGG }).total,
      ['s'],
    ),
  ],
  [
    'KD (T = 4, α = 0.9)',
    valueAndGrad(
      (t, [s]) => {
        const logits = s!.slice([0, 0], [B, 4]) as tf.Tensor2D;
        const teacher = t.t!.slice([0, 0], [B, 4]) as tf.Tensor2D;
        return kdLoss(logits, teacher, crossEntropy(logits, labels(t)), { temperature: 4, alpha: 0.9 }).total;
      },
      ['s'],
    ),
  ],
  ['RKD-D', valueAndGrad((t, [s]) => rkdDistance(t.t!, s!), ['s'])],
  ['RKD-A', valueAndGrad((t, [s]) => rkdAngle(t.t!, s!), ['s'])],
  ['SP', valueAndGrad((t, [s]) => spLoss(t.t!, s!), ['s'])],
  [
    'smoothness loss, cosine LGG',
    valueAndGrad(
      (t, [s]) =>
        smoothnessLoss(s as tf.Tensor2D, labels(t), {
          similarity: 'cosine',
          rbfAlpha: 1,
          weight: 1,
          normalize: true,
        }),
      ['s'],
    ),
  ],
  [
    'smoothness loss, RBF',
    valueAndGrad(
      (t, [s]) =>
        smoothnessLoss(s as tf.Tensor2D, labels(t), {
          similarity: 'rbf',
          rbfAlpha: 1,
          weight: 1,
          normalize: false,
        }),
      ['s'],
    ),
  ],
  [
    'Laplacian σ regulariser (m = 2, 3 layers)',
    valueAndGrad(
      (t, reps) => laplacianRegulariser(reps, y4(t), LABELS, { gamma: 0.5, m: 2, sigma: 'raw' }).weighted,
      ['s', 's2', 't2'],
    ),
  ],
  [
    'LGG with kNN (k = 3), sym-normalised, squared',
    valueAndGrad((_t, [s]) => tf.sum(buildLgg(s!, LggOptionsSchema.parse({ k: 3, power: 2 })).graph), ['s']),
  ],
  ['Parseval retraction (β = 0.01)', () => ({ run: (t) => [parsevalRetraction(t.w!, 0.01)] })],
];

describeWebGpu('webgpu parity: losses (values and gradients against cpu)', () => {
  it.each(CASES)('%s', async (_name, make) => {
    await expectParity(batch(), make, RTOL);
  });

  it('input gradient of a classifier (what FGSM and PGD step along)', async () => {
    const inputs = randomArrays({ x: [B, 8, 8, 1] }, 9);
    inputs.y = { values: Int32Array.from({ length: B }, (_, i) => i % 4), shape: [B] };
    await expectParity(
      inputs,
      () => {
        const model = createModel({ arch: 'ref-cnn', width: 0.25 }, [8, 8, 1], 4, 2);
        const classifier = pixelClassifier(model, { mean: [0.3], std: [0.2] });
        return {
          run: ({ x, y }) => [inputGradient(classifier, x!, y as tf.Tensor1D)],
          cleanup: () => model.params.dispose(),
        };
      },
      RTOL,
    );
  });
});
