/** What a batch loop gathered: `width` values of each batch 0 … done − 1, in batch order. */
export interface BatchResults {
  values: Float64Array;
  /** Batches done (all unless stopped). */
  done: number;
  /** True when the loop was stopped (the phase was cancelled). */
  stopped: boolean;
}

/**
 * Runs loops over independent, index-addressed batches (evaluation passes, attacks, corruption
 * levels): in this thread, or shared by the replicas of a run (replicas/batch-loop.ts). Whichever
 * replica computes a batch, the caller gets every batch's values in batch order and reduces them
 * itself, so a result is the same on any number of threads.
 */
export interface BatchRunner {
  /**
   * `compute(b)` for b = 0 … count − 1, `width` numbers each; fewer batches (a prefix) when the
   * phase was cancelled.
   */
  run(
    count: number,
    width: number,
    compute: (b: number) => Promise<ArrayLike<number>>,
  ): Promise<BatchResults>;
  /** True once a loop of this runner stopped early (cancelled): the phase should wind down. */
  readonly stopped: boolean;
}

/** Fails when a batch gave another number of values than the loop's width. */
export function checkWidth(values: ArrayLike<number>, width: number, b: number): void {
  if (values.length !== width) {
    throw new Error(`a batch loop expected ${width} values per batch, batch ${b} gave ${values.length}`);
  }
}

/** The runner of one thread: batches in order, checking `cancelled` before each. */
export function localBatches(cancelled: () => boolean): BatchRunner {
  let stopped = false;
  return {
    get stopped() {
      return stopped;
    },
    async run(count, width, compute) {
      const values = new Float64Array(count * width);
      let done = 0;
      for (; done < count; done++) {
        if (cancelled()) {
          stopped = true;
          break;
        }
        const v = await compute(done);
        checkWidth(v, width, done);
        values.set(v, done * width);
      }
      return { values: values.subarray(0, done * width), done, stopped };
    },
  };
}

/** The runner a loop uses: the phase's (shared by the replicas) or one of this thread. */
export function batchRunner(o: { batches?: BatchRunner; cancelled(): boolean }): BatchRunner {
  return o.batches ?? localBatches(() => o.cancelled());
}

/** The runner of evaluation loops that always run whole: the phase's (shared by the replicas), never stopped. */
export function evaluationRunner(o: { batches?: BatchRunner }): BatchRunner {
  return o.batches ?? localBatches(() => false);
}

/**
 * Column sums of a loop's values (`width` per batch), added in batch order: the same arithmetic
 * however many threads computed the batches.
 */
export function columnSums(values: ArrayLike<number>, width: number): number[] {
  const sums = new Array<number>(width).fill(0);
  for (let i = 0; i < values.length; i += width) {
    for (let j = 0; j < width; j++) sums[j] = (sums[j] ?? 0) + (values[i + j] ?? 0);
  }
  return sums;
}
