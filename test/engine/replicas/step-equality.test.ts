import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import { Rng, Stream } from '../../../shared/rng.js';
import { readState, ReplicaPool, shareDataset } from '../../../electron/engine/replicas/index.js';
import { setupRun } from '../../../electron/engine/train/run-setup.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import { trainStep } from '../../../electron/engine/train/step.js';
import { parsedSpec, recordingIo, writeRun } from '../../helpers/runs.js';
import { useSquaresData } from '../../helpers/squares-data.js';

/** A WideResNet small enough for 12×12 squares: BatchNorm in every block, 3 stages. */
const wrn = { arch: 'wrn', depth: 10, width: 0.25 } as const;
const training = {
  epochs: 1,
  batchSize: 14,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  augment: { cropPadding: 1, flip: true },
  seed: 5,
};
const probe = { perClass: 2, seed: 0, epochs: [] };

const teacher: ExperimentSpecInput = {
  kind: 'train',
  dataset: 'squares',
  model: { arch: 'ref-cnn', width: 0.5 },
  training: { ...training, stepsPerEpoch: 4 },
  probe,
  backend: 'wasm',
};

interface Outcome {
  losses: number[];
  components: Record<string, number>[];
  state: Float32Array;
}

/**
 * Two training steps (different batches; the second reads the momentum and BatchNorm statistics of
 * the first) in this thread (`threads` 0: plain trainStep, no collectives) or over a pool.
 */
async function twoSteps(dataDir: string, spec: ExperimentSpecInput, threads: number): Promise<Outcome> {
  const parsed = parsedSpec(spec);
  const runDir = await writeRun(dataDir, `eq-${threads}-${Math.random().toString(36).slice(2)}`, spec);
  const io = recordingIo();
  const { ctx, plugin } = await setupRun(
    parsed,
    runDir,
    dataDir,
    io,
    threads > 0 ? { prepareData: shareDataset } : {},
  );
  const sgd = new Sgd(ctx.model.params.trainable, parsed.training);
  const pool =
    threads > 0
      ? await ReplicaPool.start(ctx, plugin, sgd, { replicas: threads, backend: 'wasm' })
      : undefined;
  const out: Outcome = { losses: [], components: [], state: new Float32Array(0) };
  try {
    const t = parsed.training;
    for (let s = 0; s < 2; s++) {
      const ids = ctx.indices.train.subarray(s * t.batchSize, (s + 1) * t.batchSize);
      const b = ctx.trainBatches.assemble(ids, t.augment, new Rng(t.seed, 0, s, Stream.augment));
      let r;
      if (pool) r = await pool.step(b, t.lr, 1e9);
      else {
        const x = tf.tensor(b.x, [b.labels.length, ...ctx.trainBatches.inputShape]);
        const labels = tf.tensor1d(b.labels, 'int32');
        r = await trainStep(ctx, plugin, sgd, { x, labels, labelArray: b.labels }, t.lr, 1e9);
        tf.dispose([x, labels]);
      }
      expect(r.applied).toBe(true);
      out.losses.push(r.loss);
      out.components.push(r.components);
    }
    out.state = readState(ctx.model, sgd);
  } finally {
    await pool?.close();
    sgd.dispose();
    ctx.model.params.dispose();
    plugin.dispose();
  }
  return out;
}

/** Largest |a − b| relative to the largest |a| (weights, buffers and momentum of the whole model). */
function relativeMaxDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  return diff / scale;
}

function expectSameStep(reference: Outcome, replicated: Outcome): void {
  reference.losses.forEach((l, i) => expect(replicated.losses[i]).toBeCloseTo(l, 4));
  for (const [i, comps] of reference.components.entries()) {
    for (const [k, v] of Object.entries(comps)) {
      expect(Math.abs((replicated.components[i]?.[k] ?? Number.NaN) - v)).toBeLessThanOrEqual(
        1e-4 * Math.max(1, Math.abs(v)),
      );
    }
  }
  // The step moved the weights (a replica that contributed nothing would still agree to ~lr·g).
  expect(relativeMaxDiff(reference.state, replicated.state)).toBeLessThan(2e-5);
}

const cases: [string, ExperimentSpecInput][] = [
  [
    'train: cross-entropy, reference CNN',
    {
      kind: 'train',
      dataset: 'squares',
      model: { arch: 'ref-cnn', width: 0.25 },
      training,
      probe,
      backend: 'wasm',
    },
  ],
  [
    'train: cross-entropy, WRN with BatchNorm',
    { kind: 'train', dataset: 'squares', model: wrn, training, probe, backend: 'wasm' },
  ],
  // RKD's angle term divides by pairwise distances: on a WRN student the ~1e-7 rounding of
  // synchronised BatchNorm is amplified to ~1e-3 in the stem's gradient (as any reordering of the
  // batch sums would be), so RKD is checked on the reference CNN, the others on the WRN.
  ...(['gkd', 'kd', 'rkd', 'sp'] as const).map((method): [string, ExperimentSpecInput] => [
    `distill: ${method} from a teacher, ${method === 'rkd' ? 'CNN' : 'WRN'} student`,
    {
      kind: 'distill',
      method,
      dataset: 'squares',
      teacher: { run: 'teacher' },
      model: method === 'rkd' ? { arch: 'ref-cnn', width: 0.25 } : wrn,
      training,
      probe,
      backend: 'wasm',
      gkd: { weight: 25, reduction: 'sum', lgg: { k: 4 } },
      rkd: { distanceWeight: 25, angleWeight: 50 },
    },
  ]),
  // A smoothness run holds a validation split out (it picks its classifier there). The cosine
  // graph is the batch's LGG; the RBF graph divides by the batch's mean pairwise distance: both are
  // whole-batch statistics every replica must compute on the gathered embedding.
  ...(['cosine', 'rbf'] as const).map((similarity): [string, ExperimentSpecInput] => [
    `geometry: smoothness loss on an embedding, ${similarity} graph`,
    {
      kind: 'geometry',
      method: 'smoothness',
      dataset: 'squares',
      model: wrn,
      training: { ...training, validationFraction: 0.1 },
      probe,
      backend: 'wasm',
      embeddingDim: 8,
      similarity,
      ...(similarity === 'rbf' ? { rbfScale: 'mean-distance' as const } : {}),
    },
  ]),
  [
    'robust: Laplacian on every ReLU + Parseval',
    {
      kind: 'robust',
      method: 'parseval+laplacian',
      dataset: 'squares',
      model: wrn,
      training,
      probe,
      backend: 'wasm',
      laplacian: { gamma: 0.01, m: 2, taps: 'relu', sigma: 'pairs' },
    },
  ],
  [
    // The authors' Parseval network: scaled convolutions and 0.5/0.5 blocks are part of the forward
    // pass every replica runs on its shard, BatchNorm before every block is synchronised.
    'robust: Parseval PreActResNet18 + Laplacian on its stages',
    {
      kind: 'robust',
      method: 'parseval+laplacian',
      dataset: 'squares',
      model: { arch: 'preact-resnet18', width: 0.125 },
      training,
      probe,
      backend: 'wasm',
      parseval: { network: true },
      laplacian: { gamma: 0.01, m: 2, taps: 'stages', sigma: 'pairs' },
    },
  ],
];

describe('data-parallel replicas give the single-process step', () => {
  const data = useSquaresData({
    backend: 'wasm',
    then: async (dir) => {
      const runDir = await writeRun(dir, 'teacher', teacher);
      await runTraining({ type: 'train', runDir, dataDir: dir, resume: false, threads: 1 }, recordingIo());
    },
  });

  for (const [name, spec] of cases) {
    it(`${name}: 1, 2 and 4 replicas`, async () => {
      const reference = await twoSteps(data.dir, spec, 0);
      for (const threads of [1, 2, 4]) expectSameStep(reference, await twoSteps(data.dir, spec, threads));
    });
  }
});
