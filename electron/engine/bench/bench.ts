import * as tf from '@tensorflow/tfjs-core';
import { BENCH_SECTIONS, type BenchJob, type BenchSection } from '../../../shared/engine-protocol.js';
import { LggOptionsSchema } from '../../../shared/lgg-options.js';
import { adapterLabel, webGpuAdapter } from '../backend/webgpu/index.js';
import { jobProgress } from '../jobs/progress.js';
import { readTidy } from '../nn/read.js';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import { Rng } from '../../../shared/rng.js';
import { buildLgg } from '../lgg/graph.js';
import { availableCores, replicaCount } from '../replicas/index.js';
import type { JobIo } from '../train/run-setup.js';
import { benchDataFolder, median, openBenchRun, timeSteps, type StepTiming } from './bench-run.js';
import { benchGkd, benchTeacher, type GkdBench } from './gkd.js';
import { profileStep, type KernelProfile } from './profile.js';

export type { GkdBench };

/** Training throughput of one network, batch and thread count. */
export interface TrainBench extends StepTiming {
  /** `ref-cnn`, `wrn-28-1`, `preact-resnet18`. */
  model: string;
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
  /** Cores of the machine (the thread counts measured are 1 … cores unless told). */
  cores: number;
  /** Reference CNN, batches 64 and 256, per thread count. */
  train: TrainBench[];
  /** WRN-28-1 and PreActResNet18 at batch 128 on 32×32×3, per thread count. */
  models: TrainBench[];
  /** GKD ÷ CE, reference CNN student and its 2×-wide teacher, batch 64, on every core. */
  gkd: GkdBench[];
  /** Per-kernel profile of one WRN-28-1 step on one thread. */
  profile: KernelProfile[];
  lgg: LggBench[];
  skipped: string[];
}

const CIFAR: [number, number, number] = [32, 32, 3];
const MNIST: [number, number, number] = [28, 28, 1];

/** The anchor's LGG: cosine, diagonal removed, negatives clamped, top-10 kept, union-symmetrised. */
const ANCHOR_LGG = LggOptionsSchema.parse({
  negatives: 'clamp',
  normalization: 'none',
  k: 10,
  maskSource: 'own',
});

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Rng(seed).fillUniform(new Float32Array(n), 0, 1), shape);
}

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

const train = (model: ExperimentSpecInput['model'], dataset: string, batch: number): ExperimentSpecInput => ({
  kind: 'train',
  dataset,
  model,
  training: { batchSize: batch, lr: 0.01, momentum: 0.9, weightDecay: 5e-4 },
  probe: { epochs: [] },
});

/** Runs the benchmark on the backend this engine process selected. */
export async function runBench(job: BenchJob, io: JobIo): Promise<BenchResult> {
  const backend = tf.getBackend();
  const adapter = webGpuAdapter();
  const cores = availableCores();
  // The pure-JS cpu backend takes ~30 s per reference-CNN step, a software WebGPU adapter (lavapipe)
  // a few seconds: only the smallest cases run there.
  const software = backend === 'webgpu' && adapter?.isFallback === true;
  const slow = backend === 'cpu' || software;
  const why = software ? 'software adapter' : `${backend} backend`;
  const quick = job.quick || slow;
  const threadCounts = (job.threads ?? Array.from({ length: cores }, (_, i) => i + 1)).filter((t) => t >= 1);
  const result: BenchResult = {
    backend,
    ...(backend === 'webgpu' && adapter ? { adapter: adapterLabel(adapter) } : {}),
    cores,
    train: [],
    models: [],
    gkd: [],
    profile: [],
    lgg: [],
    skipped: [],
  };
  const sections = new Set<BenchSection>(job.sections ?? BENCH_SECTIONS);
  const trainCount = (sections.has('train') ? 2 : 0) + (sections.has('models') ? 2 : 0);
  let done = 0;
  const total =
    trainCount * threadCounts.length +
    (sections.has('gkd') ? 1 : 0) +
    (sections.has('profile') ? 1 : 0) +
    (sections.has('lgg') ? 9 : 0);
  const tick = (detail: string): void => jobProgress(io, 'bench', ++done, total, detail);
  const data = await benchDataFolder({ mnist28: MNIST, cifar32: CIFAR });
  let teacher: Awaited<ReturnType<typeof benchTeacher>> | undefined;
  try {
    teacher = await benchTeacher(data.dir);
    type TrainCase = [string, ExperimentSpecInput['model'], string, number, number, number];
    const refCnn: TrainCase[] = [
      ['ref-cnn', { arch: 'ref-cnn', width: 1 }, 'mnist28', 64, quick ? 1 : 5, quick ? 2 : 20],
      ['ref-cnn', { arch: 'ref-cnn', width: 1 }, 'mnist28', 256, quick ? 1 : 3, quick ? 2 : 10],
    ];
    const paper: TrainCase[] = [
      ['wrn-28-1', { arch: 'wrn', depth: 28, width: 1 }, 'cifar32', 128, 1, quick ? 1 : 4],
      ['preact-resnet18', { arch: 'preact-resnet18', width: 1 }, 'cifar32', 128, 1, quick ? 1 : 2],
    ];
    const trainCases = [...(sections.has('train') ? refCnn : []), ...(sections.has('models') ? paper : [])];
    for (const [name, model, dataset, batch, warmup, steps] of trainCases) {
      for (const threads of threadCounts) {
        const label = `${name} batch ${batch} on ${threads} thread${threads === 1 ? '' : 's'}`;
        if (slow && (name !== 'ref-cnn' || batch > 64 || threads > 1)) {
          result.skipped.push(`${label} (${why} too slow)`);
          continue;
        }
        // GPU and native TensorFlow backends train in one process (they thread themselves).
        if (threads > batch || replicaCount(threads, backend, batch) !== threads) continue;
        const run = await openBenchRun(
          data.dir,
          `${name}-${batch}-${threads}`,
          train(model, dataset, batch),
          threads,
        );
        try {
          const t = await timeSteps(run, threads, batch, warmup, steps);
          (name === 'ref-cnn' ? result.train : result.models).push({ model: name, ...t });
        } finally {
          await run.close();
        }
        tick(label);
        if (io.cancelled()) return result;
      }
    }
    if (!slow && sections.has('gkd')) {
      const counts = [...new Set(threadCounts.map((t) => replicaCount(t, backend, 64)))];
      result.gkd = await benchGkd(data.dir, teacher, counts, ANCHOR_LGG, quick);
      tick('GKD ÷ CE step');
    }
    if (!slow && sections.has('profile')) {
      const run = await openBenchRun(
        data.dir,
        'profile',
        train({ arch: 'wrn', depth: 28, width: 1 }, 'cifar32', 128),
        1,
      );
      try {
        result.profile = await profileStep(run, 128);
      } finally {
        await run.close();
      }
      tick('per-kernel profile');
    }
  } finally {
    teacher?.model.params.dispose();
    await data.cleanup();
  }
  for (const b of sections.has('lgg') ? [64, 256, 1024] : []) {
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
