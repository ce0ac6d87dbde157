import type { ThreadsChoice } from './spec/training.js';

/**
 * How the run queue shares the machine's cores, in one sentence (shown by `lgg-lab info`, the
 * System screen and the README).
 */
export const THREAD_POLICY =
  'a run with threads "auto" trains on the cores that are free when it starts (all of them when it ' +
  'runs alone), at most its batch size; a run asking for N threads gets N; runs never re-balance ' +
  'while they train; settings.json maxConcurrentRuns caps how many train at once';

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
