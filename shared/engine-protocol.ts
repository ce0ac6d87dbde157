import type { BackendInfo, GpuAdapterInfo } from './backend-types.js';
import type { LggOptions } from './lgg-options.js';
import type { LabError } from './result.js';
import type { MetricsRecord, ProbeSnapshot, RunProgress } from './run-types.js';
import type { BackendChoice } from './spec/training.js';
import type { Evaluation } from './spec/evaluation.js';

/** `lgg-lab analyze`: LGG metrics of embeddings saved as `.npy` files. */
export interface AnalyzeJob {
  type: 'analyze';
  /** One `.npy` per layer (B×D or B×…), input side first. */
  layers: string[];
  /** `.npy` of B integer labels. */
  labels: string;
  /** Optional teacher layers, paired in order with `layers`. */
  teacherLayers?: string[];
  /** Graph options. */
  lgg: LggOptions;
  /** GKD weight λ and reduction for the per-pair term. */
  gkd: { weight: number; reduction: 'sum' | 'mean' };
  /** Folder to write the graphs to as `.npy`, if any. */
  saveGraphDir?: string;
}

/** Per-layer result of an analysis. */
export interface AnalyzeLayer {
  /** Source file. */
  file: string;
  /** Flattened dimension. */
  dim: number;
  /** σ with m = 1 and m = 2. */
  sigma: { m1: number; m2: number };
  /** σ divided by the number of inter-class ordered pairs. */
  sigmaPairs: { m1: number; m2: number };
  /** Fraction of zero off-diagonal entries. */
  sparsity: number;
  /** Graph file written, with --save-graph. */
  graphFile?: string;
  /** Teacher graph file written, with --save-graph. */
  teacherGraphFile?: string;
}

/** Result of {@link AnalyzeJob}. */
export interface AnalyzeResult {
  /** Batch size B. */
  batch: number;
  /** Number of classes present. */
  classes: number;
  /** Inter-class ordered pairs (normaliser of σ). */
  interClassPairs: number;
  /** Options used. */
  lgg: LggOptions;
  /** Student (or only) layers. */
  layers: AnalyzeLayer[];
  /** Teacher layers (σ and sparsity of their graphs), when given. */
  teacherLayers?: AnalyzeLayer[];
  /** GKD term per pair and in total, when teacher layers are given. */
  gkd?: { weight: number; reduction: 'sum' | 'mean'; perPair: number[]; total: number };
}

/** Train (or resume) the run in `runDir`. */
export interface TrainJob {
  type: 'train';
  /** The run folder (holds spec.json). */
  runDir: string;
  /** The lab's data folder (datasets/, runs/). */
  dataDir: string;
  /** Continue from a checkpoint (the one named by `resumeFrom`, else the newest intact one). */
  resume: boolean;
  /**
   * CPU threads granted by the host's queue (the cores free when the run started); the engine
   * uses at most this many, and at most the batch size. Absent: the spec's `threads`.
   */
  threads?: number;
  /**
   * Checkpoint folder (`e0002-s000000468`, inside the run's `checkpoints/`) the host chose for the
   * resume and told the person about; the engine checks it again and fails if it is damaged.
   */
  resumeFrom?: string;
}

/** Run the robustness evaluation suite on a finished run. */
export interface EvaluateJob {
  type: 'evaluate';
  /** The run folder. */
  runDir: string;
  /** The lab's data folder. */
  dataDir: string;
  /** Suite to run; defaults to the run's own (or the default suite). */
  evaluation?: Evaluation;
  /**
   * CPU threads granted by the host (the cores no training run holds); the suite's batches are
   * shared by as many replicas. Absent: the spec's `threads`.
   */
  threads?: number;
}

/** LGG of one sample batch under given options (the graph-construction playground). */
export interface PreviewJob {
  type: 'preview';
  /** The lab's data folder. */
  dataDir: string;
  /** Dataset id. */
  dataset: string;
  /** Examples per class in the sample batch. */
  perClass: number;
  /** Graph options. */
  lgg: LggOptions;
}

/** Result of {@link PreviewJob}: the graph of the raw inputs of a class-sorted batch. */
export interface PreviewResult {
  /** Labels of the batch, class-sorted. */
  labels: number[];
  /** B×B graph, row-major. */
  graph: number[];
  /** σ (m = 1), raw and per inter-class pair. */
  sigma1: number;
  /** σ (m = 1) / inter-class pairs. */
  sigma1Pairs: number;
  /** Fraction of zero off-diagonal entries. */
  sparsity: number;
}

/**
 * The parts of `lgg-lab bench`, each runnable alone (`--only lgg,gkd`): `train` the reference CNN's
 * training step, `models` WRN-28-1 and PreActResNet18, `gkd` GKD ÷ CE, `profile` the per-kernel
 * profile of a WRN-28-1 step, `lgg` LGG construction, `import` dataset import.
 */
export const BENCH_SECTIONS = ['train', 'models', 'gkd', 'profile', 'lgg', 'import'] as const;
/** One of {@link BENCH_SECTIONS}. */
export type BenchSection = (typeof BENCH_SECTIONS)[number];

/** `lgg-lab bench`: a GKD step (teacher forward + student step + graph loss) against a CE step. */
export interface GkdBench {
  /** Replicas (threads) the steps ran on. */
  threads: number;
  /** Examples per step. */
  batch: number;
  /** Median CE step of the student, ms. */
  ceMs: number;
  /** Median GKD step of the same student, ms. */
  gkdMs: number;
  /** gkdMs ÷ ceMs. */
  ratio: number;
  /**
   * The teacher's forward pass alone (inference, to its three tapped latents) on one replica's shard
   * (batch ÷ threads examples) on one thread, ms: the part of the GKD step no graph kernel can remove.
   */
  teacherMs?: number;
}

/** Throughput and LGG timing benchmark. */
export interface BenchJob {
  type: 'bench';
  /** Backends to measure (those that load). */
  backends: BackendChoice[];
  /** Quick mode: fewer steps (for smoke tests). */
  quick: boolean;
  /** Thread counts to measure training at (default 1 … the machine's cores). */
  threads?: number[];
  /** The sections to run (default: all of {@link BENCH_SECTIONS}). */
  sections?: BenchSection[];
}

/** Report the backend only. */
export interface InfoJob {
  type: 'info';
}

/**
 * `gpu-check`: the WebGPU adapters this machine offers, then the parity suite on the backend the
 * engine started (values and gradients of every model and loss against the cpu backend).
 */
export interface GpuCheckJob {
  type: 'gpu-check';
}

/** One computation of the parity suite compared with the cpu backend. */
export interface ParityResult {
  /** What was compared, e.g. `model wrn: forward, taps, loss, every gradient, BN statistics` or `RKD-A`. */
  name: string;
  /** Tensors compared. */
  outputs: number;
  /** Scalars compared. */
  values: number;
  /**
   * Worst |x − x_cpu| / max(|x_cpu|, 1 % of the tensor's largest |x_cpu|) over every value
   * (dimensionless; Infinity for NaN or a shape mismatch).
   */
  worstError: number;
  /** The worst entry when the case failed: output index, flat index, value, cpu value. */
  worst?: { output: number; index: number; actual: number; expected: number };
  /** worstError within the suite's tolerance. */
  ok: boolean;
  /** Time on the backend under test (compilation included), ms. */
  ms: number;
}

/** Result of {@link GpuCheckJob}. */
export interface GpuCheckResult {
  /** Every adapter WebGPU offers here (high-performance, low-power and fallback requests, deduplicated). */
  adapters: GpuAdapterInfo[];
  /** Why no adapter could be listed (no Dawn binary, no driver), when so. */
  adapterError?: string;
  /** The backend the suite ran on. */
  backend: string;
  /** Relative tolerance of the suite. */
  tolerance: number;
  /** One entry per case. */
  parity: ParityResult[];
}

/** Everything an engine process can be asked to do. */
export type EngineJob = TrainJob | EvaluateJob | AnalyzeJob | PreviewJob | BenchJob | InfoJob | GpuCheckJob;

/** Host → engine messages. */
export type HostToEngine =
  | { type: 'job'; job: EngineJob; backend: BackendChoice }
  /** Cooperative cancel: stop between batches, checkpoint if training, then exit. */
  | { type: 'cancel' };

/** Engine → host messages. */
export type EngineToHost =
  | { type: 'ready'; info: BackendInfo }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'metrics'; record: MetricsRecord }
  | { type: 'probe'; snapshot: ProbeSnapshot }
  /** A checkpoint of `epoch` epochs is on disk. */
  | { type: 'checkpoint'; epoch: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /** The job finished; `value` is the job's result (AnalyzeResult, PreviewResult, …). */
  | { type: 'result'; value: unknown }
  /** The job was cancelled cooperatively. */
  | { type: 'cancelled'; epoch: number }
  | { type: 'error'; error: LabError };

/** Exhaustiveness helper for switches on discriminated unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`);
}
