import * as tf from '@tensorflow/tfjs-core';
import type { BenchJob } from '../../../shared/engine-protocol.js';
import { LggOptionsSchema } from '../../../shared/lgg-options.js';
import { adapterLabel, webGpuAdapter } from '../backend/webgpu/index.js';
import { buildLgg } from '../lgg/graph.js';
import { createModel } from '../models/registry.js';
import { jobProgress } from '../jobs/progress.js';
import { readTidy } from '../nn/read.js';
import { Rng } from '../../../shared/rng.js';
import { crossEntropy } from '../train/losses.js';
import { Sgd } from '../train/sgd.js';
import type { JobIo } from '../train/run-setup.js';

/** Training throughput of one model at one batch size. */
export interface TrainBench {
  /** `ref-cnn` (28×28×1, MNIST-sized) or `wrn-28-1` (32×32×3, CIFAR-sized). */
  model: string;
  batch: number;
  steps: number;
  medianMs: number;
  samplesPerSec: number;
}

/** LGG construction time for one (B, D). */
export interface LggBench {
  B: number;
  D: number;
  fwdMs: number;
  fwdBwdMs: number;
}

/** What one engine process measures on its backend. */
export interface BenchResult {
  backend: string;
  /** The WebGPU adapter measured (its label), on webgpu. */
  adapter?: string;
  train: TrainBench[];
  lgg: LggBench[];
  skipped: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Rng(seed).fillUniform(new Float32Array(n), 0, 1), shape);
}

/** The benchmarked networks: the reference CNN on MNIST-sized inputs, WRN-28-1 on CIFAR-sized ones. */
const BENCH_MODELS = {
  'ref-cnn': { spec: { arch: 'ref-cnn', width: 1 }, shape: [28, 28, 1] },
  'wrn-28-1': { spec: { arch: 'wrn', depth: 28, width: 1 }, shape: [32, 32, 3] },
} as const;

/** Median ms of a full SGD step (forward, CE, gradients, momentum update). */
async function benchTrain(
  name: keyof typeof BENCH_MODELS,
  batch: number,
  warmup: number,
  steps: number,
): Promise<TrainBench> {
  const { spec, shape } = BENCH_MODELS[name];
  const model = createModel(spec, shape, 10, 0);
  const sgd = new Sgd(model.params.trainable, { momentum: 0.9, nesterov: false, weightDecay: 0 });
  const x = randomTensor([batch, ...shape], 1);
  const y = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const vars = [...model.params.trainable.values()];
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(
        () => crossEntropy(model.forward(x, { training: true, bnUpdates: [] }).output, y),
        vars,
      );
      await value.data();
      sgd.step(grads, 0.01);
      tf.dispose([value, ...Object.values(grads)]);
      // Reading one weight forces the update to complete on asynchronous backends.
      await vars[0]?.data();
      if (i >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, y]);
    sgd.dispose();
    model.params.dispose();
  }
  const ms = median(times);
  return { model: name, batch, steps, medianMs: ms, samplesPerSec: (batch * 1000) / ms };
}

/** The anchor's LGG: cosine, diagonal removed, negatives clamped, top-10 kept, union-symmetrised. */
const ANCHOR_LGG = LggOptionsSchema.parse({ negatives: 'clamp', normalization: 'none', k: 10 });

async function benchLgg(b: number, d: number, reps: number): Promise<LggBench> {
  const x = randomTensor([b, d], 2);
  const fwd: number[] = [];
  const bwd: number[] = [];
  const grad = tf.grad((v: tf.Tensor) => tf.sum(buildLgg(v, ANCHOR_LGG).graph));
  try {
    for (let i = 0; i < reps + 1; i++) {
      const t0 = performance.now();
      await readTidy(() => buildLgg(x, ANCHOR_LGG).graph);
      const t1 = performance.now();
      await readTidy(() => grad(x));
      const t2 = performance.now();
      if (i > 0) {
        fwd.push(t1 - t0);
        bwd.push(t2 - t1);
      }
    }
  } finally {
    x.dispose();
  }
  return { B: b, D: d, fwdMs: median(fwd), fwdBwdMs: median(bwd) };
}

/** Runs the benchmark on the backend this engine process selected. */
export async function runBench(job: BenchJob, io: JobIo): Promise<BenchResult> {
  const backend = tf.getBackend();
  const adapter = webGpuAdapter();
  // The pure-JS cpu backend takes ~48 s per reference-CNN step, a software WebGPU adapter (lavapipe)
  // a few seconds: only the smallest cases run there.
  const software = backend === 'webgpu' && adapter?.isFallback === true;
  const slow = backend === 'cpu' || software;
  const why = software ? 'software adapter' : `${backend} backend`;
  // WRN-28-1 (369,690 parameters, 28 layers on 32×32×3) is a GPU-sized step (seconds on wasm):
  // measured on webgpu and the native TensorFlow backends.
  const gpu = (backend === 'webgpu' && !software) || backend === 'tensorflow';
  const result: BenchResult = {
    backend,
    ...(backend === 'webgpu' && adapter ? { adapter: adapterLabel(adapter) } : {}),
    train: [],
    lgg: [],
    skipped: [],
  };
  const total = 3 + 9;
  let done = 0;
  const tick = (detail: string): void => jobProgress(io, 'bench', ++done, total, detail);
  for (const batch of [64, 256]) {
    if (slow && batch > 64) {
      result.skipped.push(`train batch ${batch} (${why} too slow)`);
    } else {
      result.train.push(
        await benchTrain('ref-cnn', batch, job.quick || slow ? 1 : 5, job.quick || slow ? 2 : 20),
      );
    }
    tick(`train batch ${batch}`);
    if (io.cancelled()) return result;
  }
  if (gpu) result.train.push(await benchTrain('wrn-28-1', 128, job.quick ? 1 : 3, job.quick ? 2 : 10));
  else
    result.skipped.push(
      `WRN-28-1 batch 128 (${software ? 'software adapter too slow' : 'webgpu and native backends only'})`,
    );
  tick('train WRN-28-1 batch 128');
  if (io.cancelled()) return result;
  for (const b of [64, 256, 1024]) {
    for (const d of [128, 3136, 12544]) {
      const limit = software ? 64 * 64 * 12544 : slow ? 256 * 256 * 3136 : Number.POSITIVE_INFINITY;
      if (b * b * d > limit || (job.quick && b * d > 256 * 3136)) {
        result.skipped.push(`LGG B=${b} D=${d}`);
      } else {
        result.lgg.push(await benchLgg(b, d, job.quick ? 2 : b * b * d > 1e9 ? 3 : 10));
      }
      tick(`LGG B=${b} D=${d}`);
      if (io.cancelled()) return result;
    }
  }
  return result;
}
