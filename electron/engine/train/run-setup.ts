import path from 'node:path';
import type { EngineToHost } from '../../../shared/engine-protocol.js';
import type { RunProgress } from '../../../shared/run-types.js';
import { LabFailure } from '../../../shared/result.js';
import { ExperimentSpecFileSchema, modelSpecOf, runNormalization } from '../../../shared/spec/index.js';
import { requireRunJson } from '../../common/run-folder/index.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import { BatchAssembler } from '../data/batches.js';
import { loadDataset, type LoadedDataset } from '../data/dataset.js';
import { balancedSample, probeIndices, trainValidationSplit } from '../data/sampling.js';
import { createPlugin } from '../experiments/index.js';
import { createModel } from '../models/registry.js';
import { Rng, Stream } from '../../../shared/rng.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';

/** I/O of an engine job: messages to the host and the cancel flag. */
export interface JobIo {
  emit(message: EngineToHost): void;
  cancelled(): boolean;
}

/** Reads and validates `spec.json` of a run folder. */
export async function readRunSpec(runDir: string): Promise<ExperimentSpec> {
  return requireRunJson(runDir, 'spec.json', ExperimentSpecFileSchema, `${path.basename(runDir)}/spec.json`);
}

/** Options of {@link setupRun}. */
export interface SetupOptions {
  /** The dataset, already in memory (a replica worker gets the engine's shared copy). */
  data?: LoadedDataset;
  /** Applied to the dataset once loaded (e.g. moving it to shared memory for replicas). */
  prepareData?: (data: LoadedDataset) => LoadedDataset;
}

/** Builds the dataset, model, plugin and index sets of a run. The caller disposes model and plugin. */
export async function setupRun(
  spec: ExperimentSpec,
  runDir: string,
  dataDir: string,
  io: JobIo,
  options: SetupOptions = {},
): Promise<{ ctx: RunContext; plugin: ExperimentPlugin }> {
  const loaded = options.data ?? (await loadDataset(dataDir, spec.dataset));
  const data = options.prepareData ? options.prepareData(loaded) : loaded;
  const isImage = data.shape.length === 3;
  if (!isImage && spec.model.arch !== 'mlp') {
    throw new LabFailure(
      'invalid-spec',
      `model.arch: ${spec.model.arch} needs images; ${spec.dataset} is tabular (use mlp)`,
    );
  }
  const t = spec.training;
  // Checked before the model exists, so a refused spec leaves no variable behind.
  const split = trainValidationSplit(data.train.y, data.classes, t.validationFraction, t.trainSubset, t.seed);
  if (split.train.length < 2)
    throw new LabFailure('invalid-spec', 'training.trainSubset leaves fewer than 2 examples');
  const plugin = createPlugin(spec, data.classes);
  const model = createModel(modelSpecOf(spec), data.shape, plugin.outputDim, t.seed);
  const normalization = runNormalization(t, data.meta, data.shape);
  const test =
    t.evalSubset !== null && t.evalSubset < data.test.count
      ? balancedSample(data.test.y, data.classes, t.evalSubset, new Rng(t.seed, Stream.split, 7))
      : Int32Array.from({ length: data.test.count }, (_, i) => i);
  let last = 0;
  let lastPhase = '';
  const ctx: RunContext = {
    spec,
    runDir,
    dataDir,
    data,
    model,
    normalization,
    trainBatches: new BatchAssembler(data.train, data.shape, normalization),
    testBatches: new BatchAssembler(data.test, data.shape, normalization),
    indices: {
      train: split.train,
      val: split.val,
      test,
      probe: probeIndices(data.test.y, data.classes, spec.probe.perClass, spec.probe.seed),
    },
    emit: (m) => io.emit(m),
    cancelled: () => io.cancelled(),
    progress: (u) => {
      // Long phases call this per item; a few updates a second are enough for any UI, but a new
      // phase is always announced.
      const now = Date.now();
      if (now - last < 200 && u.phase === lastPhase) return;
      last = now;
      lastPhase = u.phase;
      const p: RunProgress = {
        epoch: 0,
        totalEpochs: t.epochs,
        step: 0,
        stepsPerEpoch: 0,
        samplesPerSec: 0,
        etaSec: 0,
        runId: path.basename(runDir),
        ...u,
      };
      io.emit({ type: 'progress', progress: p });
    },
  };
  try {
    await plugin.setup?.(ctx);
  } catch (e) {
    model.params.dispose();
    plugin.dispose();
    throw e;
  }
  return { ctx, plugin };
}
