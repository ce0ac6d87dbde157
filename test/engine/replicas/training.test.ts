import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';
import { useSquaresData } from '../../helpers/squares-data.js';

// 130 examples in batches of 16: the last batch of each epoch has 2 rows, fewer than the 3
// replicas, so it runs on 2 and the third gets the new state copied.
const spec: ExperimentSpecInput = {
  kind: 'train',
  dataset: 'squares',
  model: { arch: 'wrn', depth: 10, width: 0.25 },
  training: {
    epochs: 2,
    batchSize: 16,
    lr: 0.05,
    trainSubset: 130,
    augment: { cropPadding: 1, flip: true },
    schedule: { type: 'cosine', minLr: 0 },
    seed: 4,
  },
  probe: { perClass: 2, seed: 0, epochs: [] },
  threads: 3,
  backend: 'wasm',
};

async function epochRecords(runDir: string): Promise<Record<string, unknown>[]> {
  return (await readMetrics(runDir))
    .filter((m) => m.type === 'epoch')
    .map((m) => ({ ...m, seconds: 0, samplesPerSec: 0 }));
}

async function weights(runDir: string): Promise<Buffer> {
  const latest = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as {
    dir: string;
  };
  return fs.readFile(path.join(runDir, 'checkpoints', latest.dir, 'weights.bin'));
}

describe('training on replicas', () => {
  const data = useSquaresData({ backend: 'wasm' });

  it('is bit-reproducible for a replica count, and Ctrl-C + resume ends bit-identical', async () => {
    const a = await writeRun(data.dir, 'a', spec);
    const b = await writeRun(data.dir, 'b', spec);
    const c = await writeRun(data.dir, 'c', spec);
    const before = tf.memory().numTensors;
    const io = recordingIo();
    await runTraining({ type: 'train', runDir: a, dataDir: data.dir, resume: false }, io);
    expect(tf.memory().numTensors).toBe(before);
    const progress = io.messages.flatMap((m) => (m.type === 'progress' ? [m.progress] : []));
    expect(progress.filter((p) => p.phase === 'training').every((p) => p.threads === 3)).toBe(true);
    await runTraining({ type: 'train', runDir: b, dataDir: data.dir, resume: false }, recordingIo());
    // Cancelled mid-epoch 1 (cancelled() is asked once per step), then resumed on fresh replicas.
    const cut = recordingIo(5);
    expect(
      await runTraining({ type: 'train', runDir: c, dataDir: data.dir, resume: false }, cut),
    ).toBeUndefined();
    expect(cut.messages.some((m) => m.type === 'cancelled')).toBe(true);
    await runTraining({ type: 'train', runDir: c, dataDir: data.dir, resume: true }, recordingIo());
    const reference = await epochRecords(a);
    expect(reference).toHaveLength(2);
    expect(await epochRecords(b)).toEqual(reference);
    expect(await epochRecords(c)).toEqual(reference);
    expect((await weights(b)).equals(await weights(a))).toBe(true);
    expect((await weights(c)).equals(await weights(a))).toBe(true);
  });

  it('with threads auto, adds a replica only for enough arithmetic per step, whatever is granted', async () => {
    // The tiny WRN on 12×12 images at batch 16 has far less than 1.8·10⁸ MACs per step.
    const runDir = await writeRun(data.dir, 'auto', {
      ...spec,
      threads: 'auto',
      training: { ...spec.training, epochs: 1 },
    });
    const io = recordingIo();
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false, threads: 3 }, io);
    const threads = io.messages.flatMap((m) =>
      m.type === 'progress' && m.progress.phase === 'training' ? [m.progress.threads] : [],
    );
    expect(new Set(threads)).toEqual(new Set([1]));
  });

  it('uses one thread when the job grants one, whatever the spec asks', async () => {
    const runDir = await writeRun(data.dir, 'one', { ...spec, training: { ...spec.training, epochs: 1 } });
    const io = recordingIo();
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false, threads: 1 }, io);
    const threads = io.messages.flatMap((m) =>
      m.type === 'progress' && m.progress.phase === 'training' ? [m.progress.threads] : [],
    );
    expect(new Set(threads)).toEqual(new Set([1]));
  });
});
