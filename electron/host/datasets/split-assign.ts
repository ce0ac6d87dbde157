import type { ImportOptions } from './import-options.js';
import { Rng } from '../../../shared/rng.js';
import type { SourceSplit } from './source.js';
import type { ExampleSink } from './split-writer.js';
import type { DatasetWriter } from './dataset-writer.js';

/** Default held-out fraction for sources that come as one pool. */
export const DEFAULT_TEST_FRACTION = 0.2;

/** Per-class counts of labels. */
export function countClasses(
  labels: Int32Array,
  numClasses: number,
  mask?: Uint8Array,
  want?: 0 | 1,
): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    if (mask && mask[i] !== want) continue;
    counts[labels[i] as number]! += 1;
  }
  return counts;
}

/**
 * Seeded stratified hold-out: in every class, round(n × fraction) examples chosen uniformly go to the
 * test split (mask value 1), so class balance is the same in both splits.
 */
export function stratifiedTestMask(
  labels: Int32Array,
  numClasses: number,
  fraction: number,
  seed: number,
): Uint8Array {
  const mask = new Uint8Array(labels.length);
  if (fraction <= 0) return mask;
  const counts = countClasses(labels, numClasses);
  const starts = new Int32Array(numClasses + 1);
  for (let c = 0; c < numClasses; c++) starts[c + 1] = (starts[c] as number) + (counts[c] as number);
  const fill = starts.slice(0, numClasses);
  const byClass = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) byClass[fill[labels[i] as number]!++] = i;
  const take = apportion(counts, fraction);
  const rng = new Rng(seed);
  for (let c = 0; c < numClasses; c++) {
    const idx = byClass.subarray(starts[c], starts[c + 1]);
    rng.shuffle(idx);
    for (let j = 0; j < (take[c] as number); j++) mask[idx[j] as number] = 1;
  }
  return mask;
}

/**
 * Per-class hold-out sizes summing to round(N × fraction): floors first, then the remainder to the
 * classes with the largest fractional parts (largest-remainder apportionment).
 */
function apportion(counts: number[], fraction: number): number[] {
  const total = Math.round(counts.reduce((a, b) => a + b, 0) * fraction);
  const take = counts.map((n) => Math.floor(n * fraction));
  const order = counts
    .map((n, c) => ({ c, r: n * fraction - Math.floor(n * fraction) }))
    .sort((a, b) => b.r - a.r || a.c - b.c);
  let left = total - take.reduce((a, b) => a + b, 0);
  for (const { c } of order) {
    if (left <= 0) break;
    if ((take[c] as number) < (counts[c] as number)) {
      take[c]! += 1;
      left--;
    }
  }
  return take;
}

/** The train/test plan of a single-pool source, from its labels and the split options. */
export interface PoolPlan {
  /** Splits that will be stored. */
  splits: SourceSplit[];
  /** 1 for test examples; undefined when everything goes to train. */
  mask: Uint8Array | undefined;
}

/** Plans the split of a single pool of labelled examples. */
export function planPool(labels: Int32Array, numClasses: number, options: ImportOptions): PoolPlan {
  const fraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  const mask =
    fraction > 0 ? stratifiedTestMask(labels, numClasses, fraction, options.splitSeed ?? 0) : undefined;
  if (!mask)
    return {
      splits: [{ name: 'train', count: labels.length, countsPerClass: countClasses(labels, numClasses) }],
      mask,
    };
  const train = countClasses(labels, numClasses, mask, 0);
  const test = countClasses(labels, numClasses, mask, 1);
  const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);
  const splits: SourceSplit[] = [{ name: 'train', count: sum(train), countsPerClass: train }];
  if (sum(test) > 0) splits.push({ name: 'test', count: sum(test), countsPerClass: test });
  return { splits, mask: sum(test) > 0 ? mask : undefined };
}

/** Sends the examples of a single pool to the train or test writer according to the mask. */
export class SplitRouter implements ExampleSink {
  private index = 0;

  private constructor(
    private readonly train: ExampleSink,
    private readonly test: ExampleSink | undefined,
    private readonly mask: Uint8Array | undefined,
    private readonly perExample: number,
  ) {}

  /** Opens the writers of a plan. */
  static async open(out: DatasetWriter, plan: PoolPlan, perExample: number): Promise<SplitRouter> {
    const trainSplit = plan.splits.find((s) => s.name === 'train');
    const testSplit = plan.splits.find((s) => s.name === 'test');
    const train = await out.split('train', trainSplit?.count ?? 0);
    const test = testSplit ? await out.split('test', testSplit.count) : undefined;
    return new SplitRouter(train, test, plan.mask, perExample);
  }

  /** Routes a batch of consecutive examples of the pool. */
  async write(x: Uint8Array | Float32Array, y: Int32Array): Promise<void> {
    const mask = this.mask;
    if (!mask || !this.test) {
      this.index += y.length;
      await this.train.write(x, y);
      return;
    }
    const n = y.length;
    const per = this.perExample;
    let nTest = 0;
    for (let i = 0; i < n; i++) nTest += mask[this.index + i] ?? 0;
    const make = (k: number): Uint8Array | Float32Array =>
      x instanceof Uint8Array ? new Uint8Array(k * per) : new Float32Array(k * per);
    const xs = [make(n - nTest), make(nTest)];
    const ys = [new Int32Array(n - nTest), new Int32Array(nTest)];
    const at = [0, 0];
    for (let i = 0; i < n; i++) {
      const s = mask[this.index + i] ?? 0;
      const j = at[s] as number;
      xs[s]!.set(x.subarray(i * per, (i + 1) * per), j * per);
      ys[s]![j] = y[i] as number;
      at[s] = j + 1;
    }
    this.index += n;
    await this.train.write(xs[0]!, ys[0]!);
    await this.test.write(xs[1]!, ys[1]!);
  }
}
