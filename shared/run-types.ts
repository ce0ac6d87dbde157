import type { ExecutorRecord, SlurmTaskState } from './executor.js';
import type { RunReference } from './paper-reference.js';
import type { LabError } from './result.js';
import type { ExperimentKind } from './spec/experiments.js';

/**
 * Lifecycle of a run; `status.json` holds the current state, written atomically. `damaged` is never
 * written: it is how a run whose status.json or spec.json cannot be read is listed (see
 * {@link RunSummary.damaged}).
 */
export type RunState =
  'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'damaged';

/** States after which nothing more happens without a resume. */
export const TERMINAL_STATES: readonly RunState[] = ['completed', 'failed', 'cancelled', 'interrupted'];

/** `runs/<id>/status.json`. */
export interface RunStatus {
  /** Run id (folder name). */
  id: string;
  /** Current state. */
  state: RunState;
  /** ISO-8601 creation time. */
  createdAt: string;
  /** ISO-8601 time of the last status write. */
  updatedAt: string;
  /** ISO-8601 time the (latest) engine started. */
  startedAt?: string;
  /** ISO-8601 time the run reached a terminal state. */
  endedAt?: string;
  /** Epochs completed and checkpointed. */
  epoch: number;
  /** Epochs planned. */
  totalEpochs: number;
  /** PID of the engine process while running (on {@link RunHolder.hostname}). */
  pid?: number;
  /**
   * The lab process whose queue holds the run while it is queued or running there. Another lab
   * process on the same data folder (a CLI beside the app) leaves such a run alone unless this
   * process is provably gone; absent in run folders written before it existed.
   */
  holder?: RunHolder;
  /** Backend the engine runs on. */
  backend?: string;
  /**
   * Optimiser steps per epoch, recorded when training starts: a run stopped inside its first
   * epoch (no epoch record yet) still draws its curves over epochs and its progress bar.
   */
  stepsPerEpoch?: number;
  /** CPU threads the engine trains with (data-parallel replicas), once it reported them. */
  threads?: number;
  /** Why the run failed, was cancelled or interrupted. */
  error?: LabError;
  /** Where the run executes when not in the host's own queue (a Slurm array task). */
  executor?: ExecutorRecord;
  /**
   * The Slurm view of the run's task, added by the host when it reads the run (from `squeue` or
   * `sacct`); never written to status.json.
   */
  slurm?: SlurmTaskState;
}

/** Which lab process holds a run (see {@link RunStatus.holder}). */
export interface RunHolder {
  /** `os.hostname()` of the machine the process runs on: a pid means nothing on another machine. */
  hostname: string;
  /** Its process id. */
  pid: number;
  /**
   * When the process started, as Linux reports it (`/proc/<pid>/stat` field 22, clock ticks since
   * boot): tells the holder from a later process that got the same pid. Absent elsewhere.
   */
  startTicks?: number;
}

/** Scalars of one split at the end of an epoch. */
export interface SplitMetrics {
  /** Mean total loss (training objective on train; cross-entropy-like on evaluation splits). */
  loss: number;
  /** Top-1 accuracy in [0, 1] (or the k-NN accuracy for embeddings). */
  acc: number;
  /** Further named scalars (loss components, k-NN accuracies, agreement, …). */
  [name: string]: number;
}

/** One line of `metrics.jsonl` written at the end of an epoch. */
export interface EpochRecord {
  /** Discriminant. */
  type: 'epoch';
  /** 1-based epoch. */
  epoch: number;
  /** Optimiser steps so far. */
  step: number;
  /** Learning rate used in this epoch. */
  lr: number;
  /** Seconds spent in this epoch (training + evaluation). */
  seconds: number;
  /** Training throughput in examples per second. */
  samplesPerSec: number;
  /** Running means over the epoch's training batches. */
  train: SplitMetrics;
  /** Held-out validation split, when configured. */
  val?: SplitMetrics;
  /** Test split. */
  test: SplitMetrics;
}

/** A line of `metrics.jsonl` written every few steps for live curves. */
export interface StepRecord {
  /** Discriminant. */
  type: 'step';
  /** 1-based epoch. */
  epoch: number;
  /** Global optimiser step. */
  step: number;
  /** Learning rate. */
  lr: number;
  /** Loss of this batch (total objective). */
  loss: number;
  /** Batch accuracy in [0, 1]. */
  acc: number;
  /** Named loss components (e.g. `ce`, `gkd`, `laplacian`). */
  components: Record<string, number>;
}

/** Any line of `metrics.jsonl`. */
export type MetricsRecord = EpochRecord | StepRecord;

/** Per-tap summary of one probe snapshot. */
export interface ProbeTap {
  /** Tap name in the model (e.g. `stage2`, `relu.7`). */
  tap: string;
  /** Flattened dimension of the representation. */
  dim: number;
  /** σ = trace(Yᵀ L Y) of the probe LGG (m = 1). */
  sigma1: number;
  /** σ with m = 2. */
  sigma2: number;
  /** σ (m = 1) divided by the number of inter-class ordered pairs. */
  sigma1Pairs: number;
  /** Fraction of zero off-diagonal entries of the graph. */
  sparsity: number;
  /** Graph files (B×B float32 `.npy`), relative to the run folder. */
  files: { graph: string; teacher?: string; diff?: string };
  /** ‖A_T − A_S‖²_F on the probe batch for distillation pairs. */
  sqFrobenius?: number;
}

/** `probes/e<epoch>/index.json`: the LGGs of the probe batch at one epoch. */
export interface ProbeSnapshot {
  /** Epoch the snapshot was taken after (0 = before training). */
  epoch: number;
  /** Labels of the probe batch, in its (class-sorted) order. */
  labels: number[];
  /** LGG options used for the snapshot graphs. */
  graph: string;
  /** One entry per tapped layer, input side first. */
  taps: ProbeTap[];
  /** 2-D PCA of the output embedding of the probe batch (geometry runs), one [x, y] per example. */
  embedding2d?: [number, number][];
  /** Same taps on perturbed probe batches (robustness): perturbation name → σ (m = 1) per tap. */
  perturbed?: Record<string, number[]>;
}

/** `report.json`: the final evaluation of a run. */
export interface RunReport {
  /** Run id. */
  runId: string;
  /** Experiment kind. */
  kind: ExperimentKind;
  /** Method. */
  method: string;
  /** Final test accuracy in [0, 1]. */
  testAcc: number;
  /** Best test accuracy over epochs. */
  bestTestAcc: number;
  /** Final test loss. */
  testLoss: number;
  /** Wall-clock training time in seconds. */
  seconds: number;
  /** Trainable parameters of the model. */
  parameters: number;
  /** Named final scalars (e.g. `knn1`, `knn10`, `mean`, `agreement`). */
  metrics: Record<string, number>;
  /** Tables (robustness curves, corruption errors), each a titled list of rows. */
  tables: ReportTable[];
  /** The paper's published numbers beside the run's, when the run was made from a paper preset. */
  reference?: RunReference;
}

/** A titled table of a report; one row per perturbation strength, say. */
export interface ReportTable {
  /** Stable id, e.g. `gaussian`, `pgd`, `corruptions`. */
  id: string;
  /** Title for humans. */
  title: string;
  /** Column names. */
  columns: string[];
  /** Rows of cells (numbers or labels). */
  rows: (string | number)[][];
}

/** A file of a run folder that cannot be used, and why. */
export interface RunDamage {
  /** Path relative to the run folder, e.g. `status.json`, `metrics.jsonl:7`, `checkpoints/e0002-s000000468`. */
  file: string;
  /** What is wrong with it. */
  reason: string;
}

/** One row of the runs table. */
export interface RunSummary {
  /** Run id. */
  id: string;
  /** Display name. */
  name: string;
  /** Kind of experiment. */
  kind: ExperimentKind | 'unknown';
  /** Method. */
  method: string;
  /** Dataset id. */
  dataset: string;
  /** Architecture summary (e.g. `WRN-28-1`). */
  model: string;
  /** Training seed. */
  seed: number;
  /** Study name, if the run belongs to one. */
  study?: string;
  /** Status. */
  status: RunStatus;
  /** Last epoch record's test accuracy. */
  lastTestAcc?: number;
  /** Best test accuracy so far. */
  bestTestAcc?: number;
  /** Seconds of training so far. */
  seconds: number;
  /**
   * Files of the run folder that are damaged (absent when none). A run whose spec.json or
   * status.json is unreadable is still listed: state `damaged`, name = id, kind etc. `unknown`.
   */
  damaged?: RunDamage[];
}

/** Live progress of a running job. */
export interface RunProgress {
  /** Run id. */
  runId: string;
  /** What the engine is doing. */
  phase: 'starting' | 'training' | 'evaluating' | 'probing' | 'robustness' | 'saving';
  /** 1-based epoch in progress. */
  epoch: number;
  /** Epochs planned. */
  totalEpochs: number;
  /** Step within the epoch. */
  step: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** Recent training throughput (examples/s). */
  samplesPerSec: number;
  /** Estimated seconds to the end of the run. */
  etaSec: number;
  /** Free text of the current phase (e.g. "PGD ε=0.01: 300/1000"). */
  detail?: string;
  /** CPU threads training this run (data-parallel replicas; 1 on a GPU backend). */
  threads?: number;
}
