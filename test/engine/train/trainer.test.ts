import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import type { EpochRecord, ProbeSnapshot, RunReport } from '../../../shared/run-types.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';

const spec: ExperimentSpecInput = {
  kind: 'train',
  dataset: 'squares',
  model: { arch: 'ref-cnn', width: 0.25 },
  training: {
    epochs: 2,
    batchSize: 16,
    lr: 0.05,
    stepsPerEpoch: 6,
    schedule: { type: 'cosine', minLr: 0 },
    augment: { cropPadding: 2, flip: true },
    seed: 3,
  },
  probe: { perClass: 2, seed: 0, epochs: 'all' },
  backend: 'wasm',
};

describe('trainer', () => {
  const data = useSquaresData({ backend: 'wasm' });

  it('trains, logs, probes, checkpoints and reports', async () => {
    const runDir = await writeRun(data.dir, 'full', spec);
    const io = recordingIo();
    const report = (await runTraining(
      { type: 'train', runDir, dataDir: data.dir, resume: false },
      io,
    )) as RunReport;
    const metrics = await readMetrics(runDir);
    const epochs = metrics.filter((m) => m.type === 'epoch') as unknown as EpochRecord[];
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs[1]!.step).toBe(12);
    expect(metrics.filter((m) => m.type === 'step').length).toBeGreaterThan(0);
    expect(report.testAcc).toBe(epochs[1]!.test.acc);
    expect(report.parameters).toBeGreaterThan(0);
    const confusion = report.tables.find((t) => t.id === 'confusion')!;
    const cells = confusion.rows.flatMap((r) => r.slice(1) as number[]);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(40);
    const diagonal = confusion.rows.reduce((a, r, i) => a + (r[i + 1] as number), 0);
    expect(diagonal / 40).toBeCloseTo(report.testAcc, 10);
    expect(metrics.filter((m) => m.type === 'step').length).toBe(
      io.messages.filter((m) => m.type === 'metrics' && m.record.type === 'step').length,
    );
    const probes = await fs.readdir(path.join(runDir, 'probes'));
    expect(probes.sort()).toEqual(['e0000', 'e0001', 'e0002']);
    const snap = JSON.parse(
      await fs.readFile(path.join(runDir, 'probes', 'e0002', 'index.json'), 'utf8'),
    ) as ProbeSnapshot;
    expect(snap.labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(snap.taps.map((t) => t.tap)).toEqual(['block1', 'block2', 'hidden']);
    for (const t of snap.taps) {
      expect(Number.isFinite(t.sigma1)).toBe(true);
      await fs.access(path.join(runDir, t.files.graph));
    }
    expect(io.messages.some((m) => m.type === 'checkpoint' && m.epoch === 2)).toBe(true);
    const latest = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as {
      epoch: number;
    };
    expect(latest.epoch).toBe(2);
  });

  it('is deterministic for a seed, and a cancelled run resumed mid-epoch ends identical', async () => {
    const a = await writeRun(data.dir, 'a', spec);
    const b = await writeRun(data.dir, 'b', spec);
    await runTraining({ type: 'train', runDir: a, dataDir: data.dir, resume: false }, recordingIo());
    // Cancel in the middle of epoch 1 (cancelled() is asked once per step), then resume.
    const io = recordingIo(4);
    expect(
      await runTraining({ type: 'train', runDir: b, dataDir: data.dir, resume: false }, io),
    ).toBeUndefined();
    expect(io.messages.some((m) => m.type === 'cancelled')).toBe(true);
    await runTraining({ type: 'train', runDir: b, dataDir: data.dir, resume: true }, recordingIo());
    const ea = (await readMetrics(a))
      .filter((m) => m.type === 'epoch')
      .map((m) => ({ ...m, seconds: 0, samplesPerSec: 0 }));
    const eb = (await readMetrics(b))
      .filter((m) => m.type === 'epoch')
      .map((m) => ({ ...m, seconds: 0, samplesPerSec: 0 }));
    expect(eb).toEqual(ea);
    const steps = (await readMetrics(b)).filter((m) => m.type === 'step').map((m) => m.step);
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('leaks no tensor over two epochs', async () => {
    const runDir = await writeRun(data.dir, 'leak', { ...spec, probe: { perClass: 2, epochs: [] } });
    const before = tf.memory().numTensors;
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a training subset of fewer than 2 examples, leaving no variable behind', async () => {
    const runDir = await writeRun(data.dir, 'tiny', {
      ...spec,
      training: { ...spec.training, trainSubset: 1 },
    });
    const before = tf.memory().numTensors;
    await expect(
      runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo()),
    ).rejects.toMatchObject({ code: 'invalid-spec', message: expect.stringMatching(/trainSubset/) });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops a diverging run with a clear reason', async () => {
    const runDir = await writeRun(data.dir, 'diverge', {
      ...spec,
      training: { ...spec.training, lr: 80, divergenceLoss: 50, schedule: { type: 'constant' } },
    });
    await expect(
      runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo()),
    ).rejects.toThrow(/diverged/);
  });
});
