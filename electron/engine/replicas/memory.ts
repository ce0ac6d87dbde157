/**
 * The shared memory of a replica group. Every buffer is a growable SharedArrayBuffer: it is made
 * once by the pool, handed to each worker thread (shared, not copied) and grown in place by
 * whichever replica first needs more room, so the data of one collective never crosses threads
 * as a message.
 *
 * - `ctrl` (Int32): the barrier (arrival count, generation), the abort word and, for each parity
 *   and replica, the header of the collective call it is in (op, step, call, width), which every
 *   replica compares after each barrier to fail loudly when the replicas' call sequences differ.
 * - `slots[parity · R + rank]`: one replica's contribution to a sum (gradients, BatchNorm sums).
 * - `results[parity]`: the gathered rows of a tap, or the reduced vector of a large sum.
 * - `batch`: the step's whole batch (inputs then labels), written by replica 0 before a step.
 * - `work` (Int32): the shared batch loops of evaluation phases (see {@link WORK}).
 *
 * Two parities alternate between consecutive collective calls: a replica may race ahead into call
 * k + 1 and write while a slower one still reads call k, but never into call k + 2 (that needs the
 * slower one at the barrier of k + 1), so one barrier per call is enough.
 */
export interface ReplicaMemory {
  /** Replicas in the group (worker threads + the engine's own thread). */
  replicas: number;
  /** Barrier, abort word and call headers (Int32). */
  ctrl: SharedArrayBuffer;
  /** Per-parity, per-replica contributions (Float32), index parity · replicas + rank. */
  slots: SharedArrayBuffer[];
  /** Per-parity gathered or reduced values (Float32). */
  results: SharedArrayBuffer[];
  /** The step's batch: inputs (Float32), then labels (Int32) after `inputs` floats. */
  batch: SharedArrayBuffer;
  /** Claim counters and stop words of shared batch loops (Int32, {@link WORK}). */
  work: SharedArrayBuffer;
}

/** Word offsets in `work`. */
export const WORK = {
  /** Next unclaimed batch of the loop of each parity (2 words). */
  next: 0,
  /** Set by replica 0 when its phase is cancelled: no replica claims another batch. */
  stop: 2,
  /** The stop word as replica 0 saw it when it finished claiming, per parity (2 words). */
  stopped: 3,
  /** Words in `work`. */
  words: 5,
} as const;

/** Word offsets in `ctrl`. */
export const CTRL = {
  /** Arrivals at the current barrier. */
  count: 0,
  /** Barrier generation, bumped when the last replica arrives. */
  generation: 1,
  /** 0 while healthy; rank + 1 of the first replica that failed. */
  abort: 2,
  /** First header word: 4 words per (parity, rank). */
  headers: 4,
} as const;

/** Words per call header: op, step, call index within the step, width. */
export const HEADER_WORDS = 4;

/**
 * Upper bounds of the growable buffers (address space is reserved, memory is committed as they
 * grow): a replica's gradients (PreActResNet18: 45 MB) or a gathered tap (PreActResNet18's first
 * ReLU at batch 128: 34 MB) are far below these.
 */
const MAX_SLOT_BYTES = 512 * 2 ** 20;
const MAX_RESULT_BYTES = 1024 * 2 ** 20;
const MAX_BATCH_BYTES = 512 * 2 ** 20;

function growable(initial: number, max: number): SharedArrayBuffer {
  return new SharedArrayBuffer(initial, { maxByteLength: max });
}

/** Allocates the shared memory of a group of `replicas`. */
export function createReplicaMemory(replicas: number): ReplicaMemory {
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be ≥ 1, got ${replicas}`);
  return {
    replicas,
    ctrl: new SharedArrayBuffer(4 * (CTRL.headers + 2 * replicas * HEADER_WORDS)),
    slots: Array.from({ length: 2 * replicas }, () => growable(4096, MAX_SLOT_BYTES)),
    results: [growable(4096, MAX_RESULT_BYTES), growable(4096, MAX_RESULT_BYTES)],
    batch: growable(4096, MAX_BATCH_BYTES),
    work: new SharedArrayBuffer(4 * WORK.words),
  };
}

/**
 * Grows a shared buffer to at least `bytes` (several replicas may race to grow the same buffer to
 * the same size: a concurrent grow that already made it large enough is fine).
 */
export function ensureBytes(buffer: SharedArrayBuffer, bytes: number, what: string): void {
  if (buffer.byteLength >= bytes) return;
  if (bytes > buffer.maxByteLength) {
    throw new Error(
      `${what} needs ${(bytes / 2 ** 20).toFixed(0)} MB of shared memory, more than the ${(buffer.maxByteLength / 2 ** 20).toFixed(0)} MB reserved`,
    );
  }
  try {
    buffer.grow(bytes);
  } catch (e) {
    if (buffer.byteLength < bytes) throw e;
  }
}
