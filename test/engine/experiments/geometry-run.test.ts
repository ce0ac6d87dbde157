import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { EpochRecord, ProbeSnapshot, RunReport } from '../../../shared/run-types.js';
import {
  parseExperimentSpec,
  type ExperimentSpecInput,
  type GeometrySpecSchema,
  type SpecOf,
} from '../../../shared/spec/index.js';
import { readNpy, writeNpy } from '../../../electron/common/npy-file.js';
import { Rng } from '../../../shared/rng.js';
import { geometryPlugin } from '../../../electron/engine/experiments/geometry.js';
import { evaluateSplit } from '../../../electron/engine/train/evaluate.js';
import { setupRun } from '../../../electron/engine/train/run-setup.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import { trainStep } from '../../../electron/engine/train/step.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { writeSyntheticImages } from '../../helpers/datasets.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';

type GeometryInput = z.input<typeof GeometrySpecSchema>;

const training = { epochs: 2, batchSize: 16, lr: 0.05, stepsPerEpoch: 5, seed: 2 };

function geometry(over: Partial<GeometryInput>): ExperimentSpecInput {
  return {
    kind: 'geometry',
    dataset: 'squares',
    model: { arch: 'ref-cnn', width: 0.25 },
    embeddingDim: 8,
    training,
    probe: { perClass: 2, seed: 0, epochs: [0, 2] },
    fitSubset: 60,
    backend: 'wasm',
    ...over,
  };
}

async function run(
  dataDir: string,
  id: string,
  spec: ExperimentSpecInput,
): Promise<{ runDir: string; report: RunReport; epochs: EpochRecord[] }> {
  const runDir = await writeRun(dataDir, id, spec);
  const report = (await runTraining(
    { type: 'train', runDir, dataDir, resume: false },
    recordingIo(),
  )) as RunReport;
  const epochs = (await readMetrics(runDir)).filter((m) => m.type === 'epoch') as unknown as EpochRecord[];
  return { runDir, report, epochs };
}

describe('classification geometry runs end to end (wasm, synthetic images)', () => {
  const data = useSquaresData({ backend: 'wasm' });

  it('smoothness (cosine LGG) logs k-NN, class-mean, embedding norm and a 2-D PCA of the probe batch', async () => {
    const { runDir, report, epochs } = await run(
      data.dir,
      'cos',
      geometry({ method: 'smoothness', similarity: 'cosine' }),
    );
    expect(epochs).toHaveLength(2);
    for (const e of epochs) {
      for (const k of ['knn1', 'knn10', 'mean', 'embNorm']) expect(Number.isFinite(e.test[k]), k).toBe(true);
      // acc is the best of the three classifiers.
      expect(e.test.acc).toBe(Math.max(e.test.knn1!, e.test.knn10!, e.test.mean!));
      expect(e.train.smoothness).toBeGreaterThan(0);
    }
    // The squares are easy: the embedding separates them.
    expect(epochs[1]!.test.acc).toBeGreaterThan(0.6);
    expect(report.metrics.knn10).toBe(epochs[1]!.test.knn10);
    for (const epoch of ['e0000', 'e0002']) {
      const snap = JSON.parse(
        await fs.readFile(path.join(runDir, 'probes', epoch, 'index.json'), 'utf8'),
      ) as ProbeSnapshot;
      expect(snap.embedding2d).toHaveLength(8);
      for (const [x, y] of snap.embedding2d!) expect(Number.isFinite(x) && Number.isFinite(y)).toBe(true);
    }
  });

  it('tabulates no argmax confusion of an embedding, even one as wide as the number of classes', async () => {
    // squares has 4 classes: a 4-d embedding's argmax would look like a prediction but is not one.
    const { report } = await run(
      data.dir,
      'emb4',
      geometry({ method: 'smoothness', embeddingDim: 4, probe: { perClass: 2, epochs: [] } }),
    );
    expect(report.tables.map((t) => t.id)).not.toContain('confusion');
    const ce = await run(data.dir, 'ce4', geometry({ method: 'ce', probe: { perClass: 2, epochs: [] } }));
    expect(ce.report.tables.map((t) => t.id)).toContain('confusion');
  });

  it('cross-entropy keeps the argmax accuracy and also reports the embedding classifiers on its logits', async () => {
    const { runDir, epochs } = await run(data.dir, 'ce', geometry({ method: 'ce', knn: [1, 3] }));
    const e = epochs[1]!;
    expect(Object.keys(e.test).sort()).toEqual(['acc', 'embNorm', 'knn1', 'knn3', 'loss', 'mean']);
    expect(e.train.ce).toBeGreaterThan(0);
    const snap = JSON.parse(
      await fs.readFile(path.join(runDir, 'probes', 'e0002', 'index.json'), 'utf8'),
    ) as ProbeSnapshot;
    expect(snap.embedding2d).toHaveLength(8);
  });

  it('RBF smoothness on a raw embedding inflates it (the failure mode), the cosine LGG does not', async () => {
    const rbf = await run(
      data.dir,
      'rbf',
      geometry({ method: 'smoothness', similarity: 'rbf', rbfAlpha: 1, probe: { perClass: 2, epochs: [] } }),
    );
    const cos = await run(
      data.dir,
      'cos2',
      geometry({ method: 'smoothness', similarity: 'cosine', probe: { perClass: 2, epochs: [] } }),
    );
    const rbfNorm = rbf.epochs.map((e) => e.test.embNorm!);
    const cosNorm = cos.epochs.map((e) => e.test.embNorm!);
    expect(rbfNorm[1]).toBeGreaterThan(rbfNorm[0]!);
    expect(rbfNorm[1]).toBeGreaterThan(5 * cosNorm[1]!);
  });

  it('evaluation batches use classifiers fitted on the current network (refitted after every step)', async () => {
    // Labels permuted at random: classifiers at chance level are sensitive to any change of the fit.
    await writeSyntheticImages(data.dir, {
      id: 'shuffled',
      classes: 4,
      train: 160,
      test: 40,
      height: 12,
      width: 12,
      channels: 1,
    });
    for (const split of ['train', 'test']) {
      const file = path.join(data.dir, 'datasets', 'shuffled', `${split}-y.npy`);
      const y = Int32Array.from((await readNpy(file)).data);
      await writeNpy(file, new Rng(5).shuffle(y), [y.length]);
    }
    const input = geometry({ method: 'smoothness', dataset: 'shuffled' });
    const spec = parseExperimentSpec(input);
    if (!spec.ok) throw new Error(spec.error.message);
    const runDir = await writeRun(data.dir, 'fit', input);
    const { ctx, plugin } = await setupRun(spec.value, runDir, data.dir, recordingIo());
    const sgd = new Sgd(ctx.model.params.trainable, spec.value.training);
    try {
      const accs: string[] = [];
      for (let step = 0; step < 3; step++) {
        // The trainer's order: evaluation batches first, then epochMetrics.
        const evaluated = await evaluateSplit(ctx, plugin, ctx.testBatches, ctx.indices.test);
        const extra = await plugin.epochMetrics!(ctx, step);
        // A fresh plugin fits on the network as it is now: a stale fit would disagree with it.
        const fresh = geometryPlugin(spec.value as SpecOf<'geometry'>, ctx.data.classes);
        await fresh.setup!(ctx);
        const now = await fresh.epochMetrics!(ctx, step);
        fresh.dispose();
        expect(evaluated.acc).toBe(now.mean);
        expect(extra).toEqual(now);
        accs.push(JSON.stringify([now.knn1, now.knn10, now.mean]));
        const batch = ctx.trainBatches.make(ctx.indices.train.subarray(16 * step, 16 * step + 16));
        await trainStep(ctx, plugin, sgd, batch, 0.5, 1e6);
        tf.dispose([batch.x, batch.labels]);
      }
      // The steps changed the classifiers' results, so a stale fit would have been caught above.
      expect(new Set(accs).size).toBeGreaterThan(1);
    } finally {
      sgd.dispose();
      ctx.model.params.dispose();
      plugin.dispose();
    }
  });

  it('leaks no tensor over a run', async () => {
    const runDir = await writeRun(
      data.dir,
      'leak',
      geometry({ method: 'smoothness', probe: { perClass: 2, epochs: [1] } }),
    );
    const before = tf.memory().numTensors;
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo());
    expect(tf.memory().numTensors).toBe(before);
  });
});
