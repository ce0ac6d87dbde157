import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../../shared/run-types.js';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import { runEvaluation } from '../../../electron/engine/eval/evaluate-run.js';
import { disposeCheckpoint, loadCheckpoint, restoreInto } from '../../../electron/engine/train/checkpoint.js';
import { localPhases } from '../../../electron/engine/train/phases.js';
import { ReplicaPool, shareDataset } from '../../../electron/engine/replicas/index.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import type { EpochRecord } from '../../../shared/run-types.js';
import { readRunSpec, setupRun } from '../../../electron/engine/train/run-setup.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { writeSyntheticImages } from '../../helpers/datasets.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { robustSpec } from '../experiments/robust-helpers.js';

// A test split of 620 examples: 3 evaluation batches of 250, 7 attack batches of 100 and 3 DeepFool
// chunks (every 3rd example), so the replicas share every loop of the end-of-epoch evaluation, the confusion matrix and the suite.
const WIDE = { id: 'wide', classes: 4, train: 96, test: 620, height: 8, width: 8, channels: 1 };

function spec(threads: number): ExperimentSpecInput {
  const s = robustSpec('parseval+laplacian');
  return {
    ...s,
    dataset: 'wide',
    threads,
    training: { ...s.training, epochs: 2, stepsPerEpoch: 3 },
    probe: { perClass: 1, seed: 0, epochs: [] },
    evaluation: {
      ...s.evaluation,
      subset: null,
      gaussian: { epsilons: [0.2], sigma: 0.5, draws: 2 },
      fgsm: { epsilons: [0.05], snrDb: [20] },
      pgd: [{ epsilon: 0.05, step: 0.02, iterations: 2, randomStart: true }],
      deepfool: { steps: 5, candidates: 3, overshoot: 0.02, every: 3 },
      corruptions: { suite: null, inApp: true },
      dropout: [0.25],
      dropoutDraws: 1,
      quantizationBits: [5],
      perturbedProfiles: false,
    },
  };
}

/** The last epoch's record equals the end-of-epoch phase recomputed in this thread from the final weights. */
async function expectLastEpochInOneThread(runDir: string, dataDir: string): Promise<void> {
  const epochs = (await readMetrics(runDir)).filter((m) => m.type === 'epoch') as unknown as EpochRecord[];
  const last = epochs[epochs.length - 1];
  const { ctx, plugin } = await setupRun(await readRunSpec(runDir), runDir, dataDir, recordingIo());
  try {
    const ckpt = await loadCheckpoint(runDir);
    restoreInto(ckpt, ctx.model);
    disposeCheckpoint(ckpt);
    const { test, val, extra } = await localPhases(ctx, plugin)('evaluate', epochs.length);
    const expected = plugin.epochMetricsOnReplicas ? { ...test, ...extra } : test;
    if (plugin.epochMetricsOnReplicas) expect(Object.keys(extra ?? {}).length).toBeGreaterThan(0);
    expect(last?.test).toEqual(plugin.epochMetricsOnReplicas ? expected : expect.objectContaining(expected));
    expect(last?.val).toEqual(val);
  } finally {
    ctx.model.params.dispose();
    plugin.dispose();
  }
}

describe('evaluation phases on replicas', () => {
  const data = useSquaresData({
    backend: 'wasm',
    then: (dir) => writeSyntheticImages(dir, WIDE).then(() => undefined),
  });

  it('share their batches and give exactly what one thread gives on the same weights', async () => {
    const runDir = await writeRun(data.dir, 'three', spec(3));
    const before = tf.memory().numTensors;
    const io = recordingIo();
    const report = (await runTraining(
      { type: 'train', runDir, dataDir: data.dir, resume: false },
      io,
    )) as RunReport;
    expect(tf.memory().numTensors).toBe(before);
    const progress = io.messages.flatMap((m) => (m.type === 'progress' ? [m.progress] : []));
    expect(progress.some((p) => p.phase === 'training' && p.threads === 3)).toBe(true);

    await expectLastEpochInOneThread(runDir, data.dir);

    // The suite re-run in this thread (lgg-lab eval) gives every metric bit for bit.
    const suiteMetrics = Object.fromEntries(
      Object.entries(report.metrics).filter(([k]) => !k.startsWith('sigma') && k !== 'delta'),
    );
    expect(Object.keys(suiteMetrics)).toEqual(
      expect.arrayContaining(['clean', 'gaussian@0.2', 'fgsm-pixel@0.05', 'fgsm-pixel@20dB', 'deepfool']),
    );
    const again = await runEvaluation(
      { type: 'evaluate', runDir, dataDir: data.dir, threads: 1 },
      recordingIo(),
    );
    for (const [k, v] of Object.entries(suiteMetrics)) expect([k, again.metrics[k]]).toEqual([k, v]);
    expect(again.tables).toEqual(report.tables);
    // And on 2 replicas started for the evaluation alone.
    const io2 = recordingIo();
    const twice = await runEvaluation({ type: 'evaluate', runDir, dataDir: data.dir, threads: 2 }, io2);
    expect(twice.metrics).toEqual(again.metrics);
    expect(io2.messages.some((m) => m.type === 'progress' && m.progress.threads === 2)).toBe(true);
    const confusion = report.tables.find((t) => t.id === 'confusion');
    const counted = (confusion?.rows ?? []).flatMap((r) => r.slice(1) as number[]).reduce((a, b) => a + b, 0);
    expect(counted).toBe(WIDE.test);
  });

  it('fit, evaluate and score a geometry embedding as one thread does (k-NN, class means)', async () => {
    const runDir = await writeRun(data.dir, 'geometry', {
      kind: 'geometry',
      method: 'smoothness',
      dataset: 'wide',
      model: { arch: 'ref-cnn', width: 0.25 },
      embeddingDim: 8,
      knn: [1, 3],
      fitSubset: null,
      training: { epochs: 1, batchSize: 16, lr: 0.05, stepsPerEpoch: 3, seed: 2, validationFraction: 0.2 },
      probe: { perClass: 1, seed: 0, epochs: [] },
      backend: 'wasm',
      threads: 2,
    });
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo());
    await expectLastEpochInOneThread(runDir, data.dir);
  });

  it('serve evaluation from replicas left out of training, given the trained weights first', async () => {
    const runDir = await writeRun(data.dir, 'eval-only', spec(2));
    const parsed = await readRunSpec(runDir);
    const { ctx, plugin } = await setupRun(parsed, runDir, data.dir, recordingIo(), {
      prepareData: shareDataset,
    });
    const sgd = new Sgd(ctx.model.params.trainable, parsed.training);
    const pool = await ReplicaPool.start(ctx, plugin, sgd, {
      replicas: 2,
      trainReplicas: 1,
      backend: 'wasm',
    });
    try {
      for (let s = 0; s < 3; s++) {
        const ids = ctx.indices.train.subarray(16 * s, 16 * s + 16);
        const r = await pool.step(ctx.trainBatches.assemble(ids), 0.05, 1e6);
        expect(r.applied).toBe(true);
      }
      const shared = await pool.phases()('evaluate', 1);
      const alone = await localPhases(ctx, plugin)('evaluate', 1);
      expect(shared).toEqual(alone);
    } finally {
      await pool.close();
      sgd.dispose();
      ctx.model.params.dispose();
      plugin.dispose();
    }
  });

  it('stop the final evaluation on every replica when the run is cancelled during it', async () => {
    const runDir = await writeRun(data.dir, 'cut', spec(2));
    const io = recordingIo();
    let robustness = 0;
    const cut = {
      ...io,
      // Cancelled once the suite has reported a few batches.
      cancelled: () => robustness > 4,
      emit: (m: Parameters<typeof io.emit>[0]) => {
        if (m.type === 'progress' && m.progress.phase === 'robustness') robustness++;
        io.emit(m);
      },
    };
    const report = await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, cut);
    // The run still ends (its training finished); the suite returns the items it completed.
    expect(report).toBeDefined();
    expect(report?.metrics.clean).toBeGreaterThanOrEqual(0);
    expect(report?.metrics['quantise-truncate@5']).toBeUndefined();
  });
});
