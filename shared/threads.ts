import type { ThreadsChoice } from './spec/training.js';

/**
 * How the run queue shares the machine's cores, in one sentence (shown by `lgg-lab info`, the
 * System screen and the README).
 */
export const THREAD_POLICY =
  'a run with threads "auto" trains on the cores that are free when it starts (all of them when it ' +
  'runs alone), as far as its training step keeps them busy (one replica per 180 M multiply-accumulates ' +
  'of a step) and at most its batch size; a run asking for N threads gets N; runs never re-balance ' +
  'while they train; settings.json maxConcurrentRuns caps how many train at once';

/** Backends whose runs train as data-parallel replicas, one per thread (the others thread themselves). */
export const REPLICATED_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

/**
 * Multiply-accumulates of one training step (≈ 3 forward passes of the batch) each replica needs for
 * `auto` to add it. A step on R replicas costs about C/R + F, C the one-thread step and F the
 * replicas' fixed cost (barriers, gradient sum, the update every replica repeats): measured on 2
 * cores, the reference CNN at batch 64 (8.1·10⁸ MACs per step) went 62 → 45 ms on 2 replicas, so
 * F ≈ 14 ms ≈ 1.8·10⁸ MACs of its arithmetic, while the MNIST MLP at batch 64 (4.5·10⁷) ran 2× slower
 * on 2. Another replica pays while each keeps at least F of work.
 */
export const MIN_REPLICA_MACS = 1.8e8;

/**
 * Forward multiply-accumulates of a run's evaluation (every epoch's test and validation passes, and
 * the robustness suite) above which the threads its training leaves idle are started for the
 * evaluation phases (≈ 10 s of one thread here; starting a replica costs 1–2 s).
 */
export const MIN_EVALUATION_MACS = 1e11;

/** What decides a run's replicas. */
export interface ReplicaRequest {
  /** The spec's `threads`. */
  requested: ThreadsChoice;
  /** Most threads it may use: those granted, else the cores (`auto`) or the count asked for. */
  cap: number;
  /** Examples per step: every replica needs rows. */
  batchSize: number;
  /** The backend the run trains on. */
  backend: string;
  /** Forward multiply-accumulates per example (shared/model-cost.ts); `auto` then sizes by the work. */
  macsPerExample?: number;
}

/** Replicas of a run: 1 off wasm and cpu; else the cap, at most the batch, and for `auto` the work's worth. */
export function runReplicas(r: ReplicaRequest): number {
  if (!REPLICATED_BACKENDS.has(r.backend)) return 1;
  let n = Math.min(r.cap, r.batchSize);
  if (r.requested === 'auto' && r.macsPerExample !== undefined) {
    n = Math.min(n, Math.floor((3 * r.macsPerExample * r.batchSize) / MIN_REPLICA_MACS));
  }
  return Math.max(1, n);
}

/** The thread count the queue grants a run starting now. */
export function grantThreads(requested: ThreadsChoice, cores: number, inUse: number): number {
  if (requested !== 'auto') return requested;
  return Math.max(1, cores - inUse);
}

/** The machine's cores as the queue shares them. */
export interface ThreadsInfo {
  /** Logical cores of the host. */
  cores: number;
  /** Threads granted to the runs training now. */
  inUse: number;
  /** Runs allowed to train at once (settings.json `maxConcurrentRuns`). */
  maxConcurrentRuns: number;
  /** {@link THREAD_POLICY}. */
  policy: string;
}
