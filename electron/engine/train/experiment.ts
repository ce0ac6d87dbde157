import type * as tf from '@tensorflow/tfjs-core';
import type { EngineToHost } from '../../../shared/engine-protocol.js';
import type { LggOptions } from '../../../shared/lgg-options.js';
import type { ProbeSnapshot, ReportTable, RunProgress } from '../../../shared/run-types.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import type { Batch, BatchAssembler } from '../data/batches.js';
import type { LoadedDataset } from '../data/dataset.js';
import type { ForwardResult, Model } from '../models/model.js';
import type { BatchRunner } from './batch-loop.js';

/** Index sets of a run, fixed by the seed. */
export interface RunIndices {
  /** Training examples (after subset and validation hold-out). */
  train: Int32Array;
  /** Validation examples (from the training split). */
  val: Int32Array;
  /** Test examples evaluated each epoch. */
  test: Int32Array;
  /** The class-sorted probe batch (test split). */
  probe: Int32Array;
}

/** Everything an experiment plugin may use while a run trains or is evaluated. */
export interface RunContext {
  /** The validated spec. */
  spec: ExperimentSpec;
  /** The run folder. */
  runDir: string;
  /** The lab's data folder. */
  dataDir: string;
  /** The dataset in memory. */
  data: LoadedDataset;
  /** The network being trained (the student for distillation). */
  model: Model;
  /** Per-channel normalisation used for inputs, or null. */
  normalization: { mean: number[]; std: number[] } | null;
  /** Batches of the training split (augmentation optional per call). */
  trainBatches: BatchAssembler;
  /** Batches of the test split. */
  testBatches: BatchAssembler;
  /** Index sets. */
  indices: RunIndices;
  /** Sends a message to the host. */
  emit(message: EngineToHost): void;
  /** Reports progress of a long phase (throttled by the caller's host). */
  progress(update: Partial<RunProgress> & Pick<RunProgress, 'phase'>): void;
  /** True once the host asked to stop. */
  cancelled(): boolean;
  /**
   * The batch loops of the current phase, when it runs on every replica (set by the trainer for
   * that phase only): evaluation loops share their batches through it. Absent: this thread alone.
   */
  batches?: BatchRunner;
}

/** The objective of one training batch: the total to minimise and its named parts. */
export interface StepLoss {
  /** Scalar minimised. */
  total: tf.Scalar;
  /** Named components (`ce`, `gkd`, `laplacian`, …) for logging. */
  components: Record<string, tf.Scalar>;
}

/** Loss and correct predictions of an evaluation batch. */
export interface EvalBatchResult {
  /** Sum of per-example losses. */
  lossSum: tf.Scalar;
  /** Number of correct predictions. */
  correct: tf.Scalar;
}

/** What the final evaluation adds to report.json. */
export interface FinishResult {
  /** Named scalars. */
  metrics: Record<string, number>;
  /** Tables (robustness curves, corruption errors, …). */
  tables: ReportTable[];
}

/**
 * What makes an experiment kind: its objective and its metrics. The trainer owns the loop,
 * checkpoints, probes and logs; a plugin only adds what is specific to its kind.
 */
export interface ExperimentPlugin {
  /** Output width of the trained network (classes, or the embedding dimension). */
  readonly outputDim: number;
  /** Taps the objective reads during training. */
  readonly trainTaps: ReadonlySet<string> | 'all';
  /** LGG options of probe snapshots (default: the paper's GKD graph). */
  readonly probeGraph?: LggOptions;
  /** After the model exists: load a teacher, resolve taps, validate options. */
  setup?(ctx: RunContext): Promise<void>;
  /** The objective of one batch, inside the gradient tape. */
  loss(ctx: RunContext, batch: Batch, out: ForwardResult): StepLoss;
  /** Correct predictions of a training batch (argmax of the output by default). */
  trainCorrect?(ctx: RunContext, batch: Batch, out: ForwardResult): tf.Scalar;
  /** Loss and accuracy of an evaluation batch (cross-entropy and argmax by default). */
  evalBatch?(ctx: RunContext, batch: Batch, out: ForwardResult): EvalBatchResult;
  /** After every optimiser step, outside the tape (e.g. the Parseval retraction); may read values. */
  afterStep?(ctx: RunContext): void | Promise<void>;
  /** Extra test metrics at the end of an epoch (merged into the epoch record's `test`). */
  epochMetrics?(ctx: RunContext, epoch: number): Promise<Record<string, number>>;
  /**
   * True when `epochMetrics` runs its loops through `ctx.batches` and may run on every replica in
   * the end-of-epoch phase (deterministic, no side effects beyond the plugin's own caches).
   */
  readonly epochMetricsOnReplicas?: boolean;
  /**
   * Called at the start of every end-of-epoch evaluation, on every replica, before its batches
   * (e.g. fitting the classifiers evalBatch uses, through `ctx.batches`).
   */
  prepareEvaluation?(ctx: RunContext): Promise<void>;
  /** Adds kind-specific content to a probe snapshot (teacher graphs, PCA, perturbed σ). */
  probeExtras?(ctx: RunContext, snapshot: ProbeSnapshot, probeDir: string): Promise<void>;
  /** Final evaluation for report.json. */
  finish?(ctx: RunContext): Promise<FinishResult>;
  /**
   * True when `finish` runs its work through `ctx.batches` and may run on every replica at once
   * (it must then be deterministic and free of side effects: workers run it too and their result
   * is dropped). Otherwise it runs on the engine's thread alone.
   */
  readonly finishOnReplicas?: boolean;
  /** Frees whatever the plugin holds (a teacher's weights). */
  dispose(): void;
}
