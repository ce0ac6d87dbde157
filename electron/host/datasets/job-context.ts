import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ImportProgress } from '../../../shared/dataset-types.js';
import { cancelled } from './errors.js';

/** Smallest interval between two progress callbacks (at most 10 per second). */
const PROGRESS_INTERVAL_MS = 100;
/** Longest stretch of synchronous work before giving the event loop a turn. */
const SLICE_MS = 12;

type Phase = ImportProgress['phase'];

/**
 * What a running import shares with the parsers and writers: cancellation, throttled progress and
 * cooperative yielding (so a long conversion never holds the host's event loop for long).
 */
export class JobContext {
  private phaseNow: Phase = 'reading';
  private done = 0;
  private total = 0;
  private lastReport = 0;
  private lastYield = Date.now();

  constructor(
    /** Import job id. */
    readonly jobId: string,
    private readonly signal?: AbortSignal,
    private readonly onProgress?: (p: ImportProgress) => void,
  ) {}

  /** Throws `cancelled` once the signal is aborted. */
  checkCancelled(): void {
    if (this.signal?.aborted) throw cancelled();
  }

  /** Sets the total number of examples the job will process. */
  setTotal(total: number): void {
    this.total = total;
  }

  /** Switches phase (reported with the next throttled report). */
  phase(p: Phase): void {
    if (p === this.phaseNow) return;
    this.phaseNow = p;
    this.emit(false);
  }

  /** Counts `n` more examples processed; reports at most every 100 ms; checks cancellation. */
  advance(n: number): void {
    this.done += n;
    this.emit(false);
    this.checkCancelled();
  }

  /** Yields to the event loop when the current synchronous stretch is long enough; checks cancellation. */
  async breathe(): Promise<void> {
    if (Date.now() - this.lastYield >= SLICE_MS) {
      await yieldToLoop();
      this.lastYield = Date.now();
    }
    this.checkCancelled();
  }

  /** Final report: `done` with the dataset id, or `failed` / `cancelled` with a message. */
  finish(phase: 'done' | 'failed' | 'cancelled', extra: { message?: string; datasetId?: string } = {}): void {
    this.phaseNow = phase;
    if (phase === 'done') this.done = Math.max(this.done, this.total);
    this.emit(true, extra);
  }

  private emit(force: boolean, extra: { message?: string; datasetId?: string } = {}): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = now;
    const total = Math.max(this.total, this.done);
    const progress: ImportProgress = {
      jobId: this.jobId,
      phase: this.phaseNow,
      fraction: total > 0 ? Math.min(1, this.done / total) : this.phaseNow === 'done' ? 1 : 0,
      done: this.done,
      total,
      ...extra,
    };
    try {
      this.onProgress(progress);
    } catch {
      // A faulty listener must not fail the import.
    }
  }
}
