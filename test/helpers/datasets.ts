import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DATASET_FORMAT_VERSION, type DatasetMeta } from '../../shared/dataset-types.js';
import { writeJsonAtomic } from '../../electron/common/atomic-file.js';
import { writeNpy } from '../../electron/common/npy-file.js';
import { Rng } from '../../shared/rng.js';

/** Options of a generated image dataset. */
export interface SyntheticImages {
  id: string;
  classes: number;
  train: number;
  test: number;
  height: number;
  width: number;
  channels: number;
  seed?: number;
  /** Brightness of the class square (default 180); lower with more noise makes a harder set. */
  signal?: number;
  /** Range of the uniform noise on every pixel (default 60). */
  noise?: number;
}

/**
 * Writes a small learnable image dataset in the store's canonical layout: class c is a bright
 * square at a class-specific position plus uniform noise, so a CNN separates it in a few steps.
 */
export async function writeSyntheticImages(dataDir: string, o: SyntheticImages): Promise<DatasetMeta> {
  const dir = path.join(dataDir, 'datasets', o.id);
  await fs.mkdir(dir, { recursive: true });
  const rng = new Rng(o.seed ?? 1);
  const per = o.height * o.width * o.channels;
  const make = (n: number): { x: Uint8Array; y: Int32Array; counts: number[] } => {
    const x = new Uint8Array(n * per);
    const y = new Int32Array(n);
    const counts = new Array<number>(o.classes).fill(0);
    for (let i = 0; i < n; i++) {
      const c = i % o.classes;
      y[i] = c;
      counts[c] = (counts[c] ?? 0) + 1;
      const cy = Math.floor(((c % 3) + 0.5) * (o.height / 3));
      const cx = Math.floor(((Math.floor(c / 3) % 3) + 0.5) * (o.width / 3));
      for (let r = 0; r < o.height; r++) {
        for (let q = 0; q < o.width; q++) {
          const inside = Math.abs(r - cy) <= 2 && Math.abs(q - cx) <= 2;
          for (let ch = 0; ch < o.channels; ch++) {
            x[i * per + (r * o.width + q) * o.channels + ch] = Math.min(
              255,
              (inside ? (o.signal ?? 180) : 0) + rng.int(o.noise ?? 60),
            );
          }
        }
      }
    }
    return { x, y, counts };
  };
  const train = make(o.train);
  const test = make(o.test);
  const shape = [o.height, o.width, o.channels];
  await writeNpy(path.join(dir, 'train-x.npy'), train.x, [o.train, ...shape]);
  await writeNpy(path.join(dir, 'train-y.npy'), train.y, [o.train]);
  await writeNpy(path.join(dir, 'test-x.npy'), test.x, [o.test, ...shape]);
  await writeNpy(path.join(dir, 'test-y.npy'), test.y, [o.test]);
  const meta: DatasetMeta = {
    formatVersion: DATASET_FORMAT_VERSION,
    id: o.id,
    name: o.id,
    kind: 'images',
    source: { format: 'synthetic', path: 'test', importedAt: new Date().toISOString() },
    checksum: 'test',
    shape,
    classNames: Array.from({ length: o.classes }, (_, i) => `class ${i}`),
    splits: {
      train: { count: o.train, countsPerClass: train.counts, inputs: 'train-x.npy', labels: 'train-y.npy' },
      test: { count: o.test, countsPerClass: test.counts, inputs: 'test-x.npy', labels: 'test-y.npy' },
    },
    mean: new Array<number>(o.channels).fill(0.2),
    std: new Array<number>(o.channels).fill(0.3),
    bytes: (o.train + o.test) * per,
  };
  await writeJsonAtomic(path.join(dir, 'meta.json'), meta);
  return meta;
}

/** The small learnable image set most engine tests train on: 4 classes of 12×12 squares. */
export const SQUARES: SyntheticImages = {
  id: 'squares',
  classes: 4,
  train: 160,
  test: 40,
  height: 12,
  width: 12,
  channels: 1,
};
