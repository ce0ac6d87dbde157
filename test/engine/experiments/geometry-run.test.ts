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
import { localPhases } from '../../../electron/engine/train/phases.js';
import { setupRun } from '../../../electron/engine/train/run-setup.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import { trainStep } from '../../../electron/engine/train/step.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { writeSyntheticImages } from '../../helpers/datasets.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';

type GeometryInput = z.input<typeof GeometrySpecSchema>;

// A validation split: smoothness runs choose the classifier reported as acc on it.
const training = { epochs: 2, batchSize: 16, lr: 0.05, stepsPerEpoch: 5, seed: 2, validationFraction: 0.2 };

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
      for (const k of ['knn1', 'knn10', 'mean', 'embNorm', 'val.knn1', 'val.knn10', 'val.mean'])
        expect(Number.isFinite(e.test[k]), k).toBe(true);
      // acc is the test accuracy of the classifier best on the validation split (first on ties).
      const names = ['knn1', 'knn10', 'mean'];
      const best = names.reduce((b, n) => (e.test[`val.${n}`]! > e.test[`val.${b}`]! ? n : b));
      expect(e.test.acc).toBe(e.test[best]);
      expect(e.train.smoothness).toBeGreaterThan(0);
    }
    const table = report.tables.find((t) => t.id === 'classifiers')!;
    expect(table.rows.map((r) => r[0])).toEqual(['1-NN', '10-NN', 'nearest class mean']);
    expect(table.rows.filter((r) => r[3] === 'yes')).toHaveLength(1);
    const chosen = table.rows.find((r) => r[3] === 'yes')!;
    expect(chosen[2]).toBeCloseTo(100 * report.testAcc, 2);
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
    expect(Object.keys(e.test).sort()).toEqual([
      'acc',
      'embNorm',
      'knn1',
      'knn3',
      'loss',
      'mean',
      'val.knn1',
      'val.knn3',
      'val.mean',
    ]);
    expect(e.train.ce).toBeGreaterThan(0);
    const snap = JSON.parse(
      await fs.readFile(path.join(runDir, 'probes', 'e0002', 'index.json'), 'utf8'),
    ) as ProbeSnapshot;
    expect(snap.embedding2d).toHaveLength(8);
  });

  it('refuses a smoothness run without a validation split to choose its classifier on', async () => {
    const input = geometry({ method: 'smoothness', training: { ...training, validationFraction: 0 } });
    // Refused where specs are made (before a run folder exists), naming the field…
    const parsed = parseExperimentSpec(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toMatch(/training\.validationFraction: .*validation split/);
    // …and by the engine for a spec.json written elsewhere.
    const runDir = await writeRun(data.dir, 'noval', {
      ...input,
      training: { ...training, validationFraction: 0.2 },
    });
    const spec = JSON.parse(await fs.readFile(path.join(runDir, 'spec.json'), 'utf8')) as {
      training: { validationFraction: number };
    };
    spec.training.validationFraction = 0;
    await fs.writeFile(path.join(runDir, 'spec.json'), JSON.stringify(spec));
    await expect(
      runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo()),
    ).rejects.toThrow(/training\.validationFraction/);
  });

  it('RBF smoothness on a raw embedding inflates it (the failure mode), the scale guard and the cosine LGG do not', async () => {
    const rbf = (id: string, rbfScale: 'raw' | 'mean-distance') =>
      run(
        data.dir,
        id,
        geometry({
          method: 'smoothness',
          similarity: 'rbf',
          rbfAlpha: 1,
          rbfScale,
          probe: { perClass: 2, epochs: [] },
        }),
      );
    const raw = await rbf('rbf', 'raw');
    const guarded = await rbf('rbf-guarded', 'mean-distance');
    const cos = await run(
      data.dir,
      'cos2',
      geometry({ method: 'smoothness', similarity: 'cosine', probe: { perClass: 2, epochs: [] } }),
    );
    const rbfNorm = raw.epochs.map((e) => e.test.embNorm!);
    const cosNorm = cos.epochs.map((e) => e.test.embNorm!);
    expect(rbfNorm[1]).toBeGreaterThan(rbfNorm[0]!);
    expect(rbfNorm[1]).toBeGreaterThan(5 * cosNorm[1]!);
    // Scale-invariant: nothing to gain from growing, so the guarded embedding stays put.
    const guardedNorm = guarded.epochs.map((e) => e.test.embNorm!);
    expect(rbfNorm[1]).toBeGreaterThan(5 * guardedNorm[1]!);
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
        // The trainer's end-of-epoch phase: fit, evaluation batches, then epochMetrics.
        const { test: evaluated, extra } = await localPhases(ctx, plugin)('evaluate', step);
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
