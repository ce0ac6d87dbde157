import type { JobContext } from './job-context.js';
import { invalid } from './errors.js';
import type { NpyStreamWriter } from './npy-stream-writer.js';
import { FeatureStats, PixelStats, type ChannelStats } from './stats.js';

/** Batches of whole examples with their labels, as the parsers produce them. */
export interface ExampleSink {
  /** Appends `y.length` examples (`x` holds y.length × per-example values). */
  write(x: Uint8Array | Float32Array, y: Int32Array): Promise<void>;
}

/** Files and accumulators of one {@link SplitWriter}. */
export interface SplitWriterParts {
  /** Split or corruption name. */
  name: string;
  /** Inputs file; absent for the label-only file of a suite. */
  inputs?: NpyStreamWriter;
  /** Labels file; absent for corruption files (their labels are shared). */
  labels?: NpyStreamWriter;
  /** Values per example. */
  perExample: number;
  /** Number of classes. */
  numClasses: number;
  /** Statistics accumulator, if this split feeds mean/std. */
  stats?: PixelStats | FeatureStats;
  /** Progress and cancellation. */
  ctx: JobContext;
  /** Whether written examples count as progress. */
  countsProgress: boolean;
}

/**
 * Streams one split into `<split>-x.npy` and `<split>-y.npy`, counting classes, checking label range
 * and accumulating statistics on the way.
 */
export class SplitWriter implements ExampleSink {
  /** Examples per class written so far. */
  readonly countsPerClass: number[];
  private count = 0;

  constructor(private readonly p: SplitWriterParts) {
    this.countsPerClass = new Array<number>(p.numClasses).fill(0);
  }

  /** Split or corruption name. */
  get name(): string {
    return this.p.name;
  }

  /** Examples written so far. */
  get written(): number {
    return this.count;
  }

  /** Appends a batch of examples (for corruption files, `y` only gives the count). */
  async write(x: Uint8Array | Float32Array, y: Int32Array): Promise<void> {
    const { inputs, labels, stats } = this.p;
    if (inputs && x.length !== y.length * this.p.perExample) {
      throw invalid(
        inputs.file,
        `batch of ${x.length} values for ${y.length} examples of ${this.p.perExample}`,
      );
    }
    if (labels) this.countLabels(y, labels.file);
    if (stats instanceof PixelStats && x instanceof Uint8Array) stats.add(x);
    else if (stats instanceof FeatureStats && x instanceof Float32Array) stats.add(x);
    if (inputs) await inputs.append(x);
    if (labels) await labels.append(y);
    this.count += y.length;
    if (this.p.countsProgress) this.p.ctx.advance(y.length);
    else this.p.ctx.checkCancelled();
  }

  private countLabels(y: Int32Array, file: string): void {
    const k = this.countsPerClass.length;
    for (let i = 0; i < y.length; i++) {
      const v = y[i] as number;
      if (!(v >= 0 && v < k))
        throw invalid(file, `label ${v} out of range [0, ${k - 1}] at example ${this.count + i}`);
      this.countsPerClass[v]! += 1;
    }
  }

  /** Mean and std of what was written, when this split accumulates them. */
  statistics(): ChannelStats | undefined {
    return this.p.stats?.result();
  }

  /** Closes the files, checking the declared counts. */
  async finish(): Promise<void> {
    try {
      await this.p.inputs?.finish();
    } finally {
      await this.p.labels?.finish();
    }
  }

  /** Closes the files without checks. */
  async abort(): Promise<void> {
    await this.p.inputs?.abort();
    await this.p.labels?.abort();
  }
}
