import type { BatchRunner } from '../train/batch-loop.js';
import type { StepCollective } from './group.js';
import { WORK } from './memory.js';

/**
 * The batch runner of one replica in a phase every replica runs (the same loops in the same
 * order): batches are claimed through shared memory. `stop` is read on replica 0 only (the
 * engine's thread, which hears the host's cancel); `stopped` then turns true on every replica at
 * the same loop, so all leave the phase at the same point.
 */
export function sharedBatches(c: StepCollective, stop: () => boolean): BatchRunner {
  let stopped = false;
  return {
    get stopped() {
      return stopped;
    },
    async run(count, width, compute) {
      const r = await c.claimBatches(count, width, compute, stop);
      stopped ||= r.stopped;
      return r;
    },
  };
}

/** Clears the stop word before a phase (replica 0, before the workers are told to start). */
export function resetStop(work: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(work), WORK.stop, 0);
}
