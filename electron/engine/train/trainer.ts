import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainJob } from '../../../shared/engine-protocol.js';
import { LabFailure } from '../../../shared/result.js';
import { runReference } from '../../../shared/paper-reference.js';
import { modelSpecOf } from '../../../shared/spec/index.js';
import { modelCost } from '../../../shared/model-cost.js';
import { MIN_EVALUATION_MACS } from '../../../shared/threads.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import type { LoadedDataset } from '../data/dataset.js';
import type { EpochRecord, RunReport, SplitMetrics } from '../../../shared/run-types.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import { Rng, Stream } from '../../../shared/rng.js';
import type { BackendName } from '../../../shared/backend-types.js';
import type { BatchArrays } from '../data/batches.js';
import { replicaCount, ReplicaPool, shareDataset } from '../replicas/index.js';
import { checkCheckpoint, chooseResumePoint, confinedPath } from '../../common/run-folder/index.js';
import {
  disposeCheckpoint,
  readCheckpoint,
  restoreInto,
  saveCheckpoint,
  type TrainState,
} from './checkpoint.js';
import { localPhases, type PhaseRunner } from './phases.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { MetricsLog } from './metrics-log.js';
import { takeProbeSnapshot, wantsProbe } from './probes.js';
import { readRunSpec, setupRun, type JobIo } from './run-setup.js';
import { learningRate } from './schedule.js';
import { Sgd } from './sgd.js';
import { assertDeviceHealthy, withDeviceFault } from './device-faults.js';
import { trainStep, type StepValues } from './step.js';

/** Running sums of an epoch's training batches. */
type Accum = Record<string, number>;

function stepsPerEpoch(ctx: RunContext): number {
  const t = ctx.spec.training;
  const n = ctx.indices.train.length;
  // A trailing batch of one example would make BatchNorm statistics meaningless: dropped.
  const full = n % t.batchSize === 1 ? Math.floor(n / t.batchSize) : Math.ceil(n / t.batchSize);
  return Math.max(1, Math.min(full, t.stepsPerEpoch ?? Number.POSITIVE_INFINITY));
}

async function checkpoint(ctx: RunContext, sgd: Sgd, state: TrainState): Promise<void> {
  const m = ctx.model;
  await saveCheckpoint(ctx.runDir, m, sgd, {
    model: modelSpecOf(ctx.spec),
    inputShape: [...m.inputShape],
    outputDim: m.outputDim,
    classes: ctx.data.classes,
    normalization: ctx.normalization,
    state,
  });
  ctx.emit({ type: 'checkpoint', epoch: state.epoch });
}

/** Trains (or resumes) the run of `job.runDir` to the end, or until cancelled. */
export async function runTraining(job: TrainJob, io: JobIo): Promise<RunReport | undefined> {
  const spec = await readRunSpec(job.runDir);
  const backend = tf.getBackend();
  let threads = 1;
  let replicas = 1;
  // Sized once the dataset's shape is known; replicas read the dataset from shared memory rather
  // than each loading a copy.
  const prepareData = (d: LoadedDataset): LoadedDataset => {
    ({ threads, replicas } = runThreads(spec, job, backend, d));
    return replicas > 1 ? shareDataset(d) : d;
  };
  const { ctx, plugin } = await setupRun(spec, job.runDir, job.dataDir, io, { prepareData });
  const sgd = new Sgd(ctx.model.params.trainable, spec.training);
  try {
    return await loop(ctx, plugin, sgd, job.resume ? { from: job.resumeFrom } : undefined, {
      threads,
      replicas,
      backend: backend as BackendName,
    });
  } catch (e) {
    throw await withDeviceFault(e, ctx);
  } finally {
    sgd.dispose();
    ctx.model.params.dispose();
    plugin.dispose();
  }
}

/**
 * Threads of a run: `threads` its training steps use (for `auto`, as many as the step's arithmetic
 * keeps busy), and `replicas` in all: the granted threads when its evaluation is heavy enough to
 * spread (the extra replicas then serve the evaluation phases only), else `threads`.
 */
function runThreads(
  spec: ExperimentSpec,
  job: TrainJob,
  backend: string,
  d: LoadedDataset,
): { threads: number; replicas: number } {
  const t = spec.training;
  const granted = job.threads !== undefined ? { granted: job.threads } : {};
  const macs = modelCost(modelSpecOf(spec), d.shape, d.classes).macs;
  const threads = replicaCount(spec.threads, backend, t.batchSize, { ...granted, macsPerExample: macs });
  const all = replicaCount(spec.threads, backend, t.batchSize, granted);
  const tested = t.evalSubset ?? d.test.count;
  const validated = Math.round(d.train.count * t.validationFraction);
  // Attacks cost tens of forward and backward passes per example: counted as 30 forwards.
  const suite = spec.kind === 'robust' ? 30 * (spec.evaluation.subset ?? d.test.count) : 0;
  const evaluation = macs * ((tested + validated) * t.epochs + suite);
  return { threads, replicas: evaluation >= MIN_EVALUATION_MACS ? all : threads };
}

/** Runs a training step: in this thread, or over the replicas of a pool. */
type Stepper = (
  batch: BatchArrays,
  lr: number,
  maxLoss: number,
) => Promise<StepValues & { applied: boolean }>;

function localStepper(ctx: RunContext, plugin: ExperimentPlugin, sgd: Sgd): Stepper {
  const shape = ctx.trainBatches.inputShape;
  return async (b, lr, maxLoss) => {
    const x = tf.tensor(b.x, [b.labels.length, ...shape], 'float32');
    const labels = tf.tensor1d(b.labels, 'int32');
    try {
      return await trainStep(ctx, plugin, sgd, { x, labels, labelArray: b.labels }, lr, maxLoss);
    } finally {
      tf.dispose([x, labels]);
    }
  };
}

/**
 * Restores the checkpoint a resume continues from: the one the host chose (checked again here), or,
 * when the engine was started without a choice, the newest intact one (announced in the log).
 * Undefined when the run has no checkpoint: it starts from the beginning.
 */
async function restore(
  ctx: RunContext,
  sgd: Sgd,
  log: MetricsLog,
  from: string | undefined,
): Promise<TrainState | undefined> {
  let found;
  if (from !== undefined) {
    const label = `checkpoints/${from}`;
    found = await checkCheckpoint(await confinedPath(ctx.runDir, label, label), label, 'checksum');
  } else {
    const point = await chooseResumePoint(ctx.runDir);
    ctx.emit({ type: 'log', level: 'info', message: `resuming ${point.note}` });
    found = point.checkpoint;
  }
  if (!found) return undefined;
  const ckpt = await readCheckpoint(found);
  try {
    restoreInto(ckpt, ctx.model, sgd);
  } finally {
    disposeCheckpoint(ckpt);
  }
  await log.truncateAfter(ckpt.meta.state.step, ckpt.meta.state.epoch);
  return ckpt.meta.state;
}

async function loop(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  sgd: Sgd,
  resume: { from: string | undefined } | undefined,
  o: { threads: number; replicas: number; backend: BackendName },
): Promise<RunReport | undefined> {
  const log = new MetricsLog(ctx.runDir);
  let state: TrainState = { epoch: 0, step: 0, stepInEpoch: 0, seconds: 0 };
  const restored = resume ? await restore(ctx, sgd, log, resume.from) : undefined;
  if (restored) state = restored;
  else {
    await fs.writeFile(log.file, '');
    await fs.rm(path.join(ctx.runDir, 'probes'), { recursive: true, force: true });
    if (wantsProbe(ctx, 0)) ctx.emit({ type: 'probe', snapshot: await takeProbeSnapshot(ctx, plugin, 0) });
  }
  // Started after the restore: the workers copy the weights and momentum the run continues from.
  if (o.replicas > 1)
    ctx.progress({ phase: 'starting', detail: `starting ${o.replicas} replicas`, threads: o.threads });
  const pool =
    o.replicas > 1
      ? await ReplicaPool.start(ctx, plugin, sgd, {
          replicas: o.replicas,
          trainReplicas: o.threads,
          backend: o.backend,
        })
      : undefined;
  try {
    const step: Stepper = pool ? (b, lr, max) => pool.step(b, lr, max) : localStepper(ctx, plugin, sgd);
    const phases = pool ? pool.phases() : localPhases(ctx, plugin);
    return await epochs(ctx, plugin, sgd, log, state, { step, phases }, o.threads);
  } finally {
    await pool?.close();
  }
}

async function epochs(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  sgd: Sgd,
  log: MetricsLog,
  initial: TrainState,
  on: { step: Stepper; phases: PhaseRunner },
  threads: number,
): Promise<RunReport | undefined> {
  const t = ctx.spec.training;
  let state = initial;
  const steps = stepsPerEpoch(ctx);
  const recordEvery = Math.max(1, Math.round(steps / 50));
  const started = Date.now() - state.seconds * 1000;
  let trainSeconds = 0;
  let trainSamples = 0;
  let lastProgress = 0;
  let lastYield = Date.now();
  for (let epoch = state.epoch; epoch < t.epochs; epoch++) {
    const order = new Rng(t.seed, epoch, Stream.shuffle).permutation(ctx.indices.train.length);
    const acc: Accum =
      state.stepInEpoch > 0 && state.accum ? { ...state.accum } : { loss: 0, correct: 0, n: 0 };
    const epochStart = Date.now();
    let lr = t.lr;
    for (let s = state.stepInEpoch; s < steps; s++) {
      // Steps are synchronous: let the host's messages (a cancel) in a few times a second.
      if (Date.now() - lastYield > 100) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
      if (ctx.cancelled()) {
        state = { ...state, stepInEpoch: s, accum: acc, seconds: (Date.now() - started) / 1000 };
        await checkpoint(ctx, sgd, state);
        ctx.emit({ type: 'cancelled', epoch: state.epoch });
        return undefined;
      }
      const ids = Int32Array.from(
        order.subarray(s * t.batchSize, (s + 1) * t.batchSize),
        (i) => ctx.indices.train[i] ?? 0,
      );
      const batch = ctx.trainBatches.assemble(ids, t.augment, new Rng(t.seed, epoch, s, Stream.augment));
      lr = learningRate(t.lr, t.schedule, epoch, s, steps, t.epochs);
      const t0 = performance.now();
      const r = await on.step(batch, lr, t.divergenceLoss);
      await assertDeviceHealthy(ctx);
      trainSeconds += (performance.now() - t0) / 1000;
      trainSamples += ids.length;
      if (!r.applied) {
        const parts = Object.entries(r.components)
          .map(([k, v]) => `${k} = ${v.toPrecision(4)}`)
          .join(', ');
        throw new LabFailure(
          'diverged',
          `Training diverged at epoch ${epoch + 1}, step ${s + 1}: loss = ${r.loss}${parts ? ` (${parts})` : ''}. ` +
            'Lower the learning rate or the regulariser weight.' +
            (state.epoch > 0 ? ` The checkpoint of epoch ${state.epoch} is intact.` : ''),
        );
      }
      acc.loss = (acc.loss ?? 0) + r.loss * ids.length;
      acc.correct = (acc.correct ?? 0) + r.correct;
      acc.n = (acc.n ?? 0) + ids.length;
      for (const [k, v] of Object.entries(r.components))
        acc[`c:${k}`] = (acc[`c:${k}`] ?? 0) + v * ids.length;
      state = { ...state, step: state.step + 1 };
      if ((s + 1) % recordEvery === 0) {
        const record = {
          type: 'step' as const,
          epoch: epoch + 1,
          step: state.step,
          lr,
          loss: r.loss,
          acc: r.correct / ids.length,
          components: r.components,
        };
        log.append(record);
        ctx.emit({ type: 'metrics', record });
      }
      const now = Date.now();
      if (now - lastProgress > 250) {
        lastProgress = now;
        const rate = trainSamples / Math.max(trainSeconds, 1e-9);
        const remaining = (t.epochs - epoch) * steps - (s + 1);
        ctx.emit({
          type: 'progress',
          progress: {
            runId: path.basename(ctx.runDir),
            phase: 'training',
            epoch: epoch + 1,
            totalEpochs: t.epochs,
            step: s + 1,
            stepsPerEpoch: steps,
            samplesPerSec: rate,
            etaSec: (remaining * t.batchSize) / Math.max(rate, 1e-9),
            threads,
          },
        });
      }
    }
    state = { ...state, stepInEpoch: 0, accum: undefined };
    ctx.progress({ phase: 'evaluating', epoch: epoch + 1 });
    const record = await endOfEpoch(
      ctx,
      plugin,
      on.phases,
      epoch,
      acc,
      lr,
      state.step,
      epochStart,
      trainSamples / Math.max(trainSeconds, 1e-9),
    );
    log.append(record);
    ctx.emit({ type: 'metrics', record });
    state = { ...state, epoch: epoch + 1, seconds: (Date.now() - started) / 1000 };
    if (wantsProbe(ctx, epoch + 1)) {
      ctx.progress({ phase: 'probing', epoch: epoch + 1 });
      ctx.emit({ type: 'probe', snapshot: await takeProbeSnapshot(ctx, plugin, epoch + 1) });
    }
    if ((epoch + 1) % t.checkpointEvery === 0 || epoch + 1 === t.epochs) await checkpoint(ctx, sgd, state);
  }
  return finish(ctx, plugin, on.phases, state, log);
}

async function endOfEpoch(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  phases: PhaseRunner,
  epoch: number,
  acc: Accum,
  lr: number,
  step: number,
  epochStart: number,
  samplesPerSec: number,
): Promise<EpochRecord> {
  const n = Math.max(1, acc.n ?? 0);
  const train: SplitMetrics = { loss: (acc.loss ?? 0) / n, acc: (acc.correct ?? 0) / n };
  for (const [k, v] of Object.entries(acc)) if (k.startsWith('c:')) train[k.slice(2)] = v / n;
  const { test, val, extra } = await phases('evaluate', epoch + 1);
  Object.assign(test, plugin.epochMetricsOnReplicas ? extra : await plugin.epochMetrics?.(ctx, epoch + 1));
  return {
    type: 'epoch',
    epoch: epoch + 1,
    step,
    lr,
    seconds: (Date.now() - epochStart) / 1000,
    samplesPerSec,
    train,
    ...(val ? { val } : {}),
    test,
  };
}

async function finish(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  phases: PhaseRunner,
  state: TrainState,
  log: MetricsLog,
): Promise<RunReport> {
  ctx.progress({ phase: 'robustness', epoch: state.epoch, detail: 'final evaluation' });
  const extra = plugin.finishOnReplicas
    ? await phases('finish', state.epoch)
    : ((await plugin.finish?.(ctx)) ?? { metrics: {}, tables: [] });
  // Class-by-class errors of classifiers (output = logits); embeddings have no argmax to tabulate,
  // even when their width happens to equal the number of classes.
  const embedding = ctx.spec.kind === 'geometry' && ctx.spec.method === 'smoothness';
  const confusion =
    !embedding && ctx.model.outputDim === ctx.data.classes
      ? await phases('confusion', state.epoch)
      : undefined;
  const lines = (await fs.readFile(log.file, 'utf8')).split('\n').filter((l) => l.includes('"type":"epoch"'));
  const epochs = lines.map((l) => JSON.parse(l) as EpochRecord);
  const last = epochs[epochs.length - 1];
  const report: RunReport = {
    runId: path.basename(ctx.runDir),
    kind: ctx.spec.kind,
    method: ctx.spec.method,
    testAcc: last?.test.acc ?? 0,
    bestTestAcc: Math.max(0, ...epochs.map((e) => e.test.acc)),
    testLoss: last?.test.loss ?? 0,
    seconds: state.seconds,
    parameters: ctx.model.params.count(),
    metrics: {
      ...(last ? Object.fromEntries(Object.entries(last.test).filter(([k]) => k !== 'loss')) : {}),
      ...extra.metrics,
    },
    tables: confusion ? [...extra.tables, confusion] : extra.tables,
  };
  const reference = runReference(ctx.spec.preset, ctx.spec.method, {
    ...report.metrics,
    testAcc: report.testAcc,
  });
  if (reference) report.reference = reference;
  await writeJsonAtomic(path.join(ctx.runDir, 'report.json'), report);
  return report;
}
