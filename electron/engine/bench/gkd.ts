import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { GkdBench } from '../../../shared/engine-protocol.js';
import type { LggOptions } from '../../../shared/lgg-options.js';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import { createModel } from '../models/registry.js';
import type { Model } from '../models/model.js';
import { saveCheckpoint } from '../train/checkpoint.js';
import { benchBatch, median, openBenchRun, timeSteps } from './bench-run.js';

export type { GkdBench };

const MNIST: [number, number, number] = [28, 28, 1];
const TEACHER = { arch: 'ref-cnn', width: 2 } as const;

/** A random (untrained) 2×-wide CNN, kept and saved as a checkpoint: the GKD teacher, as the PyTorch anchor's. */
export async function benchTeacher(dataDir: string): Promise<{ checkpoint: string; model: Model }> {
  const model = createModel(TEACHER, MNIST, 10, 1);
  try {
    const checkpoint = await saveCheckpoint(path.join(dataDir, 'teacher'), model, undefined, {
      model: TEACHER,
      inputShape: MNIST,
      outputDim: 10,
      classes: 10,
      normalization: { mean: [0.5], std: [0.29] },
      state: { epoch: 1, step: 1, stepInEpoch: 0, seconds: 0 },
    });
    return { checkpoint, model };
  } catch (e) {
    model.params.dispose();
    throw e;
  }
}

/** Median ms of the teacher's forward pass to its stage taps on `rows` examples of the run's data. */
async function teacherForward(teacher: Model, x: Float32Array, rows: number, reps: number): Promise<number> {
  const want = new Set(teacher.taps.filter((t) => t.kinds.includes('stage')).map((t) => t.name));
  const input = tf.tensor(x.subarray(0, rows * 28 * 28), [rows, ...MNIST]);
  const times: number[] = [];
  try {
    for (let i = 0; i < reps + 1; i++) {
      const t0 = performance.now();
      const out = tf.tidy(() => {
        const r = teacher.forward(input, { training: false, bnUpdates: [] }, want);
        return [...r.taps.values()];
      });
      await Promise.all(out.map((t) => t.data()));
      tf.dispose(out);
      if (i > 0) times.push(performance.now() - t0);
    }
  } finally {
    input.dispose();
  }
  return median(times);
}

/**
 * GKD ÷ CE of the reference CNN at batch 64 on each thread count (the anchor's mode b: Σ over the
 * 3 latents of the mean squared difference of kNN graphs), and the teacher's forward alone.
 */
export async function benchGkd(
  dataDir: string,
  teacher: { checkpoint: string; model: Model },
  threadCounts: readonly number[],
  lgg: LggOptions,
  quick: boolean,
): Promise<GkdBench[]> {
  const gkd: ExperimentSpecInput = {
    kind: 'distill',
    method: 'gkd',
    dataset: 'mnist28',
    teacher: { checkpoint: teacher.checkpoint },
    model: { arch: 'ref-cnn', width: 1 },
    training: { batchSize: 64, lr: 0.01, momentum: 0.9, weightDecay: 5e-4 },
    probe: { epochs: [] },
    gkd: { weight: 3, reduction: 'mean', lgg },
  };
  const out: GkdBench[] = [];
  for (const threads of threadCounts) {
    const times: number[] = [];
    let teacherMs = Number.NaN;
    for (const [id, spec] of [
      ['ce', { ...gkd, method: 'student' }],
      ['gkd', gkd],
    ] as const) {
      const run = await openBenchRun(dataDir, `${id}-step-${threads}`, spec, threads);
      try {
        times.push((await timeSteps(run, threads, 64, quick ? 1 : 5, quick ? 2 : 20)).medianMs);
        if (id === 'gkd') {
          const shard = Math.ceil(64 / threads);
          teacherMs = await teacherForward(teacher.model, benchBatch(run, 64, 0).x, shard, quick ? 2 : 10);
        }
      } finally {
        await run.close();
      }
    }
    const [ceMs = Number.NaN, gkdMs = Number.NaN] = times;
    out.push({ threads, batch: 64, ceMs, gkdMs, ratio: gkdMs / ceMs, teacherMs });
  }
  return out;
}
