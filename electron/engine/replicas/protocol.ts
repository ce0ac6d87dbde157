import type { MessagePort } from 'node:worker_threads';
import type { BackendName } from '../../../shared/backend-types.js';
import type { LabError } from '../../../shared/result.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import type { PhaseName } from '../train/phases.js';
import type { LoadedDataset } from '../data/dataset.js';
import type { ReplicaMemory } from './memory.js';

/** What a replica worker is started with (structured-cloned; the SharedArrayBuffers are shared). */
export interface WorkerInit {
  /** This replica's index (1 … replicas − 1; 0 is the engine's own thread). */
  rank: number;
  /** The group's shared memory. */
  memory: ReplicaMemory;
  /** Longest wait for the other replicas at a barrier, ms. */
  timeoutMs: number;
  /** The engine's backend (the worker starts the same one). */
  backend: BackendName;
  /** The run folder. */
  runDir: string;
  /** The lab's data folder (teachers and corruption suites are read from it). */
  dataDir: string;
  /** The run's spec, as the engine read it. */
  spec: ExperimentSpec;
  /** The dataset, its arrays backed by shared memory (not copied). */
  data: LoadedDataset;
  /** Where the worker reports failures, read synchronously by a blocked engine thread. */
  failures: MessagePort;
}

/** Engine thread → worker. */
export type PoolToWorker =
  /** Overwrite weights, buffers and momentum with these values (layout: {@link stateLayout}). */
  | { type: 'state'; values: Float32Array }
  /** Run training step `step` on this replica's shard of the batch in shared memory. */
  | {
      type: 'step';
      step: number;
      /** Number of the step's first collective call (see ReplicaGroup.begin). */
      firstCall: number;
      /** Replicas taking part (≤ the group's size when the batch has fewer rows). */
      size: number;
      /** Rows of the whole batch. */
      rows: number;
      lr: number;
      maxLoss: number;
    }
  /** Run phase `name` (its batch loops shared through the group), collectives numbered from `firstCall`. */
  | { type: 'phase'; name: PhaseName; epoch: number; step: number; firstCall: number; size: number };

/** Worker → engine thread. */
export type WorkerToPool =
  { type: 'ready' } | { type: 'state-applied' } | { type: 'failed'; rank: number; error: LabError };
