import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CorruptionMeta, DatasetMeta, SplitMeta } from '../../../shared/dataset-types.js';
import { invalid } from './errors.js';
import type { JobContext } from './job-context.js';
import { checkedElements, checkOutputBytes, LIMITS } from './limits.js';
import { NpyStreamWriter } from './npy-stream-writer.js';
import { SplitWriter } from './split-writer.js';
import { FeatureStats, PixelStats, type ChannelStats } from './stats.js';

/** What the writer needs to know about the dataset being written. */
export interface WriterSpec {
  /** Kind of dataset. */
  kind: DatasetMeta['kind'];
  /** Per-example shape. */
  shape: number[];
  /** Number of classes (labels are checked against it). */
  numClasses: number;
  /** Statistics given by the source (suites); otherwise computed while writing. */
  presetStats?: ChannelStats;
}

/** What the writer produced, for meta.json. */
export interface WriterResult {
  /** Splits with their files and counts. */
  splits: DatasetMeta['splits'];
  /** Corruption files, for suites. */
  corruptions?: CorruptionMeta[];
  /** Mean and std per channel or feature. */
  stats: ChannelStats;
  /** Bytes of the written files. */
  bytes: number;
}

/**
 * Writes the canonical files of one dataset into a staging folder: splits as `<split>-x.npy` /
 * `<split>-y.npy`, corruptions as `<name>.npy`. Sizes are declared up front so the output cap is
 * enforced before anything is written.
 */
export class DatasetWriter {
  private readonly splitWriters: SplitWriter[] = [];
  private readonly corruptionMetas: { meta: CorruptionMeta; writer: SplitWriter }[] = [];
  private suiteLabels: SplitWriter | undefined;
  private declaredBytes = 0;
  private readonly perExample: number;
  private readonly suiteStats: PixelStats | undefined;

  constructor(
    /** Staging folder (exists, empty). */
    readonly dir: string,
    private readonly spec: WriterSpec,
    private readonly ctx: JobContext,
  ) {
    this.perExample = checkedElements('dataset', spec.shape);
    if (spec.numClasses < 1 || spec.numClasses > LIMITS.maxClasses) {
      throw invalid('dataset', `${spec.numClasses} classes (1 to ${LIMITS.maxClasses} supported)`);
    }
    this.suiteStats =
      spec.kind === 'corruptions' && !spec.presetStats ? new PixelStats(this.channels()) : undefined;
  }

  private channels(): number {
    return this.spec.kind === 'tabular' ? (this.spec.shape[0] ?? 0) : (this.spec.shape[2] ?? 1);
  }

  private declare(file: string, elements: number, itemSize: number): void {
    this.declaredBytes += elements * itemSize;
    checkOutputBytes(file, this.declaredBytes);
  }

  /** Opens the writer of a split of `count` examples. */
  async split(name: 'train' | 'test', count: number): Promise<SplitWriter> {
    const itemSize = this.spec.kind === 'tabular' ? 4 : 1;
    const shape = [count, ...this.spec.shape];
    checkedElements(`${name} split`, shape);
    this.declare(`${name} split`, count * this.perExample, itemSize);
    const x = await NpyStreamWriter.create(
      path.join(this.dir, `${name}-x.npy`),
      itemSize === 4 ? 'float32' : 'uint8',
      shape,
    );
    const y = await NpyStreamWriter.create(path.join(this.dir, `${name}-y.npy`), 'int32', [count]);
    const stats =
      name === 'train'
        ? this.spec.kind === 'tabular'
          ? new FeatureStats(this.channels())
          : new PixelStats(this.channels())
        : undefined;
    const w = new SplitWriter({
      name,
      inputs: x,
      labels: y,
      perExample: this.perExample,
      numClasses: this.spec.numClasses,
      stats,
      ctx: this.ctx,
      countsProgress: true,
    });
    this.splitWriters.push(w);
    return w;
  }

  /** Opens the file of one corruption: severities × perSeverity images; write() ignores labels. */
  async corruption(name: string, severities: number, perSeverity: number): Promise<SplitWriter> {
    const rows = severities * perSeverity;
    const shape = [rows, ...this.spec.shape];
    checkedElements(name, shape);
    this.declare(name, rows * this.perExample, 1);
    const file = `${name}.npy`;
    const x = await NpyStreamWriter.create(path.join(this.dir, file), 'uint8', shape);
    const w = new SplitWriter({
      name,
      inputs: x,
      perExample: this.perExample,
      numClasses: this.spec.numClasses,
      ...(this.suiteStats ? { stats: this.suiteStats } : {}),
      ctx: this.ctx,
      countsProgress: true,
    });
    this.corruptionMetas.push({ meta: { name, severities, file }, writer: w });
    return w;
  }

  /** Writes the shared labels of a suite (`test-y.npy`). */
  async suiteLabelsFile(labels: Int32Array): Promise<void> {
    this.declare('test-y.npy', labels.length, 4);
    const y = await NpyStreamWriter.create(path.join(this.dir, 'test-y.npy'), 'int32', [labels.length]);
    // Inputs of a suite live in the corruption files: this writer has the label side only.
    const w = new SplitWriter({
      name: 'test',
      labels: y,
      perExample: 0,
      numClasses: this.spec.numClasses,
      ctx: this.ctx,
      countsProgress: false,
    });
    this.suiteLabels = w;
    await w.write(new Uint8Array(0), labels);
  }

  /** Closes every file (checking declared counts) and returns what meta.json needs. */
  async finish(): Promise<WriterResult> {
    const all = [...this.splitWriters, ...this.corruptionMetas.map((c) => c.writer)];
    if (this.suiteLabels) all.push(this.suiteLabels);
    for (const w of all) await w.finish();
    const splits: DatasetMeta['splits'] = {};
    for (const w of this.splitWriters) {
      const meta: SplitMeta = {
        count: w.written,
        countsPerClass: w.countsPerClass,
        inputs: `${w.name}-x.npy`,
        labels: `${w.name}-y.npy`,
      };
      splits[w.name as 'train' | 'test'] = meta;
    }
    if (this.suiteLabels) {
      splits.test = {
        count: this.suiteLabels.written,
        countsPerClass: this.suiteLabels.countsPerClass,
        inputs: '',
        labels: 'test-y.npy',
      };
    }
    const bytes = await this.sizeOnDisk();
    const stats = this.spec.presetStats ??
      this.trainStats() ??
      this.suiteStats?.result() ?? { mean: [], std: [] };
    const out: WriterResult = { splits, stats, bytes };
    if (this.corruptionMetas.length > 0) out.corruptions = this.corruptionMetas.map((c) => c.meta);
    return out;
  }

  private trainStats(): ChannelStats | undefined {
    const train = this.splitWriters.find((w) => w.name === 'train');
    return train?.statistics();
  }

  private async sizeOnDisk(): Promise<number> {
    let total = 0;
    for (const f of await fs.readdir(this.dir)) total += (await fs.stat(path.join(this.dir, f))).size;
    return total;
  }

  /** Closes every open file after a failure. */
  async abort(): Promise<void> {
    const all = [...this.splitWriters, ...this.corruptionMetas.map((c) => c.writer)];
    if (this.suiteLabels) all.push(this.suiteLabels);
    for (const w of all) await w.abort();
  }
}
