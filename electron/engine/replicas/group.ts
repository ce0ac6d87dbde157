import { LabFailure } from '../../../shared/result.js';
import { checkWidth, type BatchResults } from '../train/batch-loop.js';
import { CTRL, ensureBytes, HEADER_WORDS, WORK, type ReplicaMemory } from './memory.js';

/** The rows of the whole batch one replica computes: [start, end) of `total`. */
export interface ShardRows {
  /** First row. */
  start: number;
  /** One past the last row. */
  end: number;
  /** Rows of the whole batch. */
  total: number;
}

/** Balanced contiguous shards: the first `total mod parts` replicas take one row more. */
export function shardRows(total: number, parts: number, rank: number): ShardRows {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  const start = rank * base + Math.min(rank, extra);
  return { start, end: start + base + (rank < extra ? 1 : 0), total };
}

/**
 * Collective operations of one training step, called in the same order by every replica of the
 * step (they all run the same graph on their shard of the batch). Every call blocks until all
 * replicas of the step reach it.
 */
export interface Collective {
  /** This replica's index (0 is the engine's own thread). */
  readonly rank: number;
  /** Replicas taking part in this step. */
  readonly size: number;
  /** Rows of the batch this replica computes. */
  readonly rows: ShardRows;
  /** Element-wise sum over the replicas, always in rank order (bit-reproducible for a replica count). */
  sum(values: Float32Array): Float32Array;
  /** Every replica's rows (row-major, `rowSize` floats per row) in rank order: the whole batch. */
  gatherRows(own: Float32Array, rowSize: number): Float32Array;
  /** The step's last barrier: after it no replica reads this step's shared buffers. */
  end(): void;
}

/** A replica stopped the group: it failed, its thread exited, or the call sequences differ. */
export class ReplicaFailure extends LabFailure {
  constructor(
    message: string,
    /** Rank of the replica that failed first, when known. */
    readonly failedRank: number | undefined,
  ) {
    super('replica-failed', message);
  }
}

const OPS = ['sum', 'gather', 'end', 'batches'] as const;
type Op = (typeof OPS)[number];

/** Sums below this length are reduced by every replica in full (one barrier); longer ones are split. */
const SPLIT_SUM_MIN = 16384;

/**
 * One replica's handle on the shared memory of its group. Waits are bounded: a replica that waits
 * longer than `timeoutMs` for the others, or sees the abort word set, stops the group with an error
 * instead of hanging.
 */
export class ReplicaGroup {
  private readonly ctrl: Int32Array;

  constructor(
    private readonly memory: ReplicaMemory,
    readonly rank: number,
    private readonly timeoutMs: number,
  ) {
    this.ctrl = new Int32Array(memory.ctrl);
  }

  /** Replicas in the group. */
  get replicas(): number {
    return this.memory.replicas;
  }

  /** Rank + 1 of the replica that stopped the group, 0 while healthy. */
  get abortedBy(): number {
    return Atomics.load(this.ctrl, CTRL.abort);
  }

  /** Stops the group (first caller wins) and wakes every waiting replica. */
  abort(rank = this.rank): void {
    Atomics.compareExchange(this.ctrl, CTRL.abort, 0, rank + 1);
    Atomics.notify(this.ctrl, CTRL.generation);
  }

  /**
   * Collectives of training step `step` among replicas 0 … size − 1 over a batch of `total` rows.
   * `firstCall` numbers the step's first call: calls are numbered across steps (the engine's thread
   * passes its running count to the workers) so that consecutive calls, also across a step
   * boundary, always alternate parity.
   */
  begin(step: number, size: number, total: number, firstCall: number): StepCollective {
    if (this.rank >= size) throw new Error(`replica ${this.rank} is not part of a step of ${size}`);
    return new StepCollective(this, step, size, shardRows(total, size, this.rank), firstCall);
  }

  /**
   * A view of the first `floats` values of a buffer, grown to hold them. Fixed-length on purpose:
   * V8 has no fast path for length-tracking views of a growable SharedArrayBuffer (element loops
   * over them ran ~9× slower, a quarter of a small network's step in the gradient sum).
   */
  view(kind: 'slot' | 'result', index: number, floats: number, what: string): Float32Array {
    return new Float32Array(this.buffer(kind, index, floats * 4, what), 0, floats);
  }

  /** A buffer grown to at least `bytes` (for views of another element type than float32). */
  buffer(kind: 'slot' | 'result', index: number, bytes: number, what: string): SharedArrayBuffer {
    const buffer = (kind === 'slot' ? this.memory.slots : this.memory.results)[index];
    if (!buffer) throw new Error(`no shared ${kind} ${index}`);
    ensureBytes(buffer, bytes, what);
    return buffer;
  }

  /** The group's claim counters and stop words ({@link WORK}). */
  get work(): Int32Array {
    return new Int32Array(this.memory.work);
  }

  /** Writes this replica's call header for `parity`. */
  header(parity: number, op: Op, step: number, call: number, width: number): void {
    const at = CTRL.headers + (parity * this.replicas + this.rank) * HEADER_WORDS;
    this.ctrl.set([OPS.indexOf(op), step, call, width], at);
  }

  /** Fails when another replica of the step is in a different call than this one. */
  checkHeaders(parity: number, size: number): void {
    const mine = CTRL.headers + (parity * this.replicas + this.rank) * HEADER_WORDS;
    const own = this.ctrl.subarray(mine, mine + HEADER_WORDS);
    for (let r = 0; r < size; r++) {
      const at = CTRL.headers + (parity * this.replicas + r) * HEADER_WORDS;
      const other = this.ctrl.subarray(at, at + HEADER_WORDS);
      if (other.every((v, i) => v === own[i])) continue;
      this.abort();
      const say = (h: Int32Array): string =>
        `${OPS[h[0] ?? -1] ?? '?'} (step ${h[1]}, call ${h[2]}, width ${h[3]})`;
      throw new ReplicaFailure(
        `replicas disagree on the collective sequence: replica ${this.rank} is in ${say(own)}, replica ${r} in ${say(other)}`,
        r,
      );
    }
  }

  /** Blocks until `parties` replicas have arrived (bounded by the timeout and the abort word). */
  barrier(parties: number, where: () => string): void {
    const c = this.ctrl;
    const generation = Atomics.load(c, CTRL.generation);
    this.failIfAborted(where);
    if (Atomics.add(c, CTRL.count, 1) === parties - 1) {
      Atomics.store(c, CTRL.count, 0);
      Atomics.add(c, CTRL.generation, 1);
      Atomics.notify(c, CTRL.generation);
      return;
    }
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      // The barrier completing wins over a later abort (the engine may close the group right after).
      if (Atomics.load(c, CTRL.generation) !== generation) return;
      this.failIfAborted(where);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.abort();
        throw new ReplicaFailure(
          `replica ${this.rank} waited ${+(this.timeoutMs / 1000).toFixed(1)} s for the other replicas at ${where()}: ` +
            'a worker thread stopped responding',
          undefined,
        );
      }
      Atomics.wait(c, CTRL.generation, generation, Math.min(left, 1000));
    }
  }

  private failIfAborted(where: () => string): void {
    const by = this.abortedBy;
    if (by === 0) return;
    throw new ReplicaFailure(
      by - 1 === this.rank
        ? `replica ${this.rank} stopped the group at ${where()}`
        : `replica ${by - 1} failed; replica ${this.rank} stopped at ${where()}`,
      by - 1,
    );
  }
}

/** The collectives of one step, as one replica sees them. */
export class StepCollective implements Collective {
  constructor(
    private readonly group: ReplicaGroup,
    private readonly step: number,
    readonly size: number,
    readonly rows: ShardRows,
    private call: number,
  ) {}

  /** Number of the next call (the following step's `firstCall`). */
  get nextCall(): number {
    return this.call;
  }

  get rank(): number {
    return this.group.rank;
  }

  /** Starts call `call` of the step: its parity, with this replica's header written. */
  private open(op: Op, width: number): { parity: number; where: () => string } {
    const call = this.call++;
    const parity = call % 2;
    this.group.header(parity, op, this.step, call, width);
    return { parity, where: () => `${op} call ${call} of step ${this.step}` };
  }

  private meet(parity: number, where: () => string): void {
    this.group.barrier(this.size, where);
    this.group.checkHeaders(parity, this.size);
  }

  sum(values: Float32Array): Float32Array {
    const n = values.length;
    if (this.size === 1) return Float32Array.from(values);
    const { parity, where } = this.open('sum', n);
    const slot = (r: number): Float32Array =>
      this.group.view('slot', parity * this.group.replicas + r, n, 'a summed vector');
    slot(this.rank).set(values);
    this.meet(parity, where);
    const parts = Array.from({ length: this.size }, (_, r) => slot(r));
    if (n < SPLIT_SUM_MIN) {
      const out = new Float32Array(n);
      addInRankOrder(parts, out, 0, n);
      return out;
    }
    // Reduce-scatter then all-gather: each replica sums its share of the entries, in rank order.
    const result = this.group.view('result', parity, n, 'a summed vector');
    const share = shardRows(n, this.size, this.rank);
    addInRankOrder(parts, result, share.start, share.end);
    this.group.barrier(this.size, where);
    return result.slice(0, n);
  }

  gatherRows(own: Float32Array, rowSize: number): Float32Array {
    const ownRows = this.rows.end - this.rows.start;
    if (own.length !== ownRows * rowSize) {
      throw new Error(`gatherRows: ${own.length} values are not ${ownRows} rows of ${rowSize}`);
    }
    if (this.size === 1) return Float32Array.from(own);
    const { parity, where } = this.open('gather', rowSize);
    const total = this.rows.total * rowSize;
    const result = this.group.view('result', parity, total, 'a gathered representation');
    result.set(own, this.rows.start * rowSize);
    this.meet(parity, where);
    return result.slice(0, total);
  }

  /**
   * A loop over independent batches 0 … count − 1 shared by the replicas: each claims the next
   * unclaimed batch until none is left (dynamic, so a replica another process slows takes fewer),
   * and every replica gets every batch's `width` values, in batch order. Stops early once replica
   * 0's `stop()` is true; the results are then the longest finished prefix, the same on all.
   */
  async claimBatches(
    count: number,
    width: number,
    compute: (b: number) => Promise<ArrayLike<number>>,
    stop: () => boolean,
  ): Promise<BatchResults> {
    const { parity, where } = this.open('batches', count * width);
    const work = this.group.work;
    const row = width + 1;
    const results = new Float64Array(
      this.group.buffer('result', parity, count * row * 8, 'the results of a batch loop'),
      0,
      count * row,
    );
    // Nobody reads this parity's counter or results any more: every replica is past the previous call.
    if (this.rank === 0) {
      Atomics.store(work, WORK.next + parity, 0);
      for (let b = 0; b < count; b++) results[b * row + width] = 0;
    }
    this.meet(parity, where);
    for (;;) {
      if (this.rank === 0 && stop()) Atomics.store(work, WORK.stop, 1);
      if (Atomics.load(work, WORK.stop) !== 0) break;
      const b = Atomics.add(work, WORK.next + parity, 1);
      if (b >= count) break;
      const values = await compute(b);
      checkWidth(values, width, b);
      results.set(values, b * row);
      results[b * row + width] = 1;
    }
    if (this.rank === 0) Atomics.store(work, WORK.stopped + parity, Atomics.load(work, WORK.stop));
    this.group.barrier(this.size, where);
    // Batches finish out of order: the results are those of the first unfinished batch's prefix.
    let done = 0;
    while (done < count && results[done * row + width] === 1) done++;
    const values = new Float64Array(done * width);
    for (let b = 0; b < done; b++) values.set(results.subarray(b * row, b * row + width), b * width);
    return { values, done, stopped: Atomics.load(work, WORK.stopped + parity) !== 0 };
  }

  end(): void {
    if (this.size === 1) return;
    // No header check after this barrier: the next step may have fewer replicas, which then run
    // ahead and overwrite headers while a replica left out of it would still be reading them. A
    // replica calling something else here is caught by that replica's own check instead.
    const { where } = this.open('end', 0);
    this.group.barrier(this.size, where);
  }
}

/** out[i] = parts[0][i] + parts[1][i] + … for i in [from, to), added in that order in float32. */
function addInRankOrder(parts: Float32Array[], out: Float32Array, from: number, to: number): void {
  const [first, ...rest] = parts;
  if (!first) return;
  out.set(first.subarray(from, to), from);
  for (const p of rest) for (let i = from; i < to; i++) out[i] = out[i]! + p[i]!;
}
