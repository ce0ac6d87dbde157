import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DATASET_FORMAT_VERSION, type DatasetMeta } from '../../../shared/dataset-types.js';
import { Rng } from '../../../shared/rng.js';
import { parseExperimentSpec, type ExperimentSpecInput } from '../../../shared/spec/index.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import { writeNpy } from '../../common/npy-file.js';
import type { BatchArrays } from '../data/batches.js';
import { ReplicaPool, shareDataset } from '../replicas/index.js';
import type { ExperimentPlugin, RunContext } from '../train/experiment.js';
import { setupRun } from '../train/run-setup.js';
import { Sgd } from '../train/sgd.js';
import { trainStep } from '../train/step.js';

/** Median of a list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/**
 * A throw-away data folder with a random uint8 image set of the given shape (10 classes), so the
 * bench trains through the same set-up, step and replicas as a real run without any dataset
 * installed. Removed by the returned cleanup.
 */
export async function benchDataFolder(
  shapes: Record<string, [number, number, number]>,
  examples = 512,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-bench-'));
  for (const [id, shape] of Object.entries(shapes)) {
    const folder = path.join(dir, 'datasets', id);
    await fs.mkdir(folder, { recursive: true });
    const per = shape[0] * shape[1] * shape[2];
    const rng = new Rng(7, per);
    const split = async (name: 'train' | 'test') => {
      const x = new Uint8Array(examples * per);
      for (let i = 0; i < x.length; i++) x[i] = rng.int(256);
      const y = Int32Array.from({ length: examples }, (_, i) => i % 10);
      await writeNpy(path.join(folder, `${name}-x.npy`), x, [examples, ...shape]);
      await writeNpy(path.join(folder, `${name}-y.npy`), y, [examples]);
      const counts = Array.from({ length: 10 }, (_, c) => y.filter((l) => l === c).length);
      return { count: examples, countsPerClass: counts, inputs: `${name}-x.npy`, labels: `${name}-y.npy` };
    };
    const meta: DatasetMeta = {
      formatVersion: DATASET_FORMAT_VERSION,
      id,
      name: id,
      kind: 'images',
      source: { format: 'synthetic', path: '(bench)', importedAt: new Date().toISOString() },
      checksum: '',
      shape,
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      splits: { train: await split('train'), test: await split('test') },
      mean: Array.from({ length: shape[2] }, () => 0.5),
      std: Array.from({ length: shape[2] }, () => 0.29),
      bytes: 2 * examples * per,
    };
    await writeJsonAtomic(path.join(folder, 'meta.json'), meta);
  }
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Throughput of training steps of one spec on some threads. */
export interface StepTiming {
  /** Replicas (threads). */
  threads: number;
  /** Examples per step. */
  batch: number;
  /** Timed steps. */
  steps: number;
  /** Median milliseconds per step. */
  medianMs: number;
  /** batch / median step time. */
  samplesPerSec: number;
}

/** A run set up for the bench: its context, and a step function over its replicas (or this thread). */
export interface BenchRun {
  ctx: RunContext;
  plugin: ExperimentPlugin;
  step(batch: BatchArrays): Promise<void>;
  close(): Promise<void>;
}

/** Sets up a run of `spec` in the bench data folder, on `threads` replicas. */
export async function openBenchRun(
  dataDir: string,
  id: string,
  spec: ExperimentSpecInput,
  threads: number,
): Promise<BenchRun> {
  const parsed = parseExperimentSpec(spec);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const runDir = path.join(dataDir, 'runs', id);
  await fs.mkdir(runDir, { recursive: true });
  const io = { emit: () => undefined, cancelled: () => false };
  const options = threads > 1 ? { prepareData: shareDataset } : {};
  const { ctx, plugin } = await setupRun(parsed.value, runDir, dataDir, io, options);
  const sgd = new Sgd(ctx.model.params.trainable, parsed.value.training);
  const backend = tf.getBackend() as 'wasm' | 'cpu';
  let pool: ReplicaPool | undefined;
  try {
    if (threads > 1) pool = await ReplicaPool.start(ctx, plugin, sgd, { replicas: threads, backend });
  } catch (e) {
    sgd.dispose();
    ctx.model.params.dispose();
    plugin.dispose();
    throw e;
  }
  const lr = parsed.value.training.lr;
  return {
    ctx,
    plugin,
    async step(b) {
      if (pool) {
        await pool.step(b, lr, Number.POSITIVE_INFINITY);
        return;
      }
      const x = tf.tensor(b.x, [b.labels.length, ...ctx.trainBatches.inputShape], 'float32');
      const labels = tf.tensor1d(b.labels, 'int32');
      try {
        await trainStep(ctx, plugin, sgd, { x, labels, labelArray: b.labels }, lr, Number.POSITIVE_INFINITY);
      } finally {
        tf.dispose([x, labels]);
      }
    },
    async close() {
      await pool?.close();
      sgd.dispose();
      ctx.model.params.dispose();
      plugin.dispose();
    },
  };
}

/** The batch of `batch` examples starting at `offset` (wrapping) of the run's training split. */
export function benchBatch(run: BenchRun, batch: number, offset: number): BatchArrays {
  const train = run.ctx.indices.train;
  const ids = Int32Array.from({ length: batch }, (_, i) => train[(offset + i) % train.length] ?? 0);
  return run.ctx.trainBatches.assemble(ids);
}

/** Median step time of `run` after `warmup` untimed steps. */
export async function timeSteps(
  run: BenchRun,
  threads: number,
  batch: number,
  warmup: number,
  steps: number,
): Promise<StepTiming> {
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const b = benchBatch(run, batch, i * batch);
    const t0 = performance.now();
    await run.step(b);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  const ms = median(times);
  return { threads, batch, steps, medianMs: ms, samplesPerSec: (batch * 1000) / ms };
}
