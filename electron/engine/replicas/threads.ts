import os from 'node:os';
import type { ThreadsChoice } from '../../../shared/spec/training.js';

/** Backends whose training runs as data-parallel replicas in worker threads. */
const REPLICATED_BACKENDS: ReadonlySet<string> = new Set(['wasm', 'cpu']);

/** Logical cores this process may use. */
export function availableCores(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * Replicas of a run: the requested count (`auto`: every available core), at most the batch size
 * (each replica needs rows of the batch) and 1 on a backend that is not replicated (a GPU backend
 * or native TensorFlow uses its own threads and runs in one process).
 */
export function replicaCount(requested: ThreadsChoice, backend: string, batchSize: number): number {
  if (!REPLICATED_BACKENDS.has(backend)) return 1;
  const wanted = requested === 'auto' ? availableCores() : requested;
  return Math.max(1, Math.min(wanted, batchSize));
}
