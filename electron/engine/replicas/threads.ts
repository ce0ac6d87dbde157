import os from 'node:os';
import type { ThreadsChoice } from '../../../shared/spec/training.js';
import { runReplicas } from '../../../shared/threads.js';

/** Logical cores this process may use. */
export function availableCores(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * Replicas of a run (shared/threads.ts runReplicas): the requested count, or for `auto` the
 * available cores (or those `granted` by the host's queue) as far as `macsPerExample` keeps them
 * busy; at most the batch size; 1 on a backend that is not replicated (a GPU backend or native
 * TensorFlow uses its own threads and runs in one process).
 */
export function replicaCount(
  requested: ThreadsChoice,
  backend: string,
  batchSize: number,
  o: { granted?: number; macsPerExample?: number } = {},
): number {
  const cap = o.granted ?? (requested === 'auto' ? availableCores() : requested);
  return runReplicas({
    requested,
    cap,
    batchSize,
    backend,
    ...(o.macsPerExample !== undefined ? { macsPerExample: o.macsPerExample } : {}),
  });
}
