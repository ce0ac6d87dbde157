import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DatasetMeta } from '../../../shared/dataset-types.js';
import { LabFailure } from '../../../shared/result.js';
import { readNpy } from '../../common/npy-file.js';

/** One split in memory: inputs as stored (uint8 NHWC images or float32 features) and int32 labels. */
export interface SplitData {
  /** Examples. */
  count: number;
  /** Inputs, row-major, `count × prod(shape)`. */
  x: Uint8Array | Float32Array;
  /** Labels. */
  y: Int32Array;
}

/** A dataset loaded by the engine. */
export interface LoadedDataset {
  /** meta.json. */
  meta: DatasetMeta;
  /** Per-example shape. */
  shape: number[];
  /** Number of classes. */
  classes: number;
  /** Training split. */
  train: SplitData;
  /** Test split. */
  test: SplitData;
}

async function loadSplit(dir: string, meta: DatasetMeta, split: 'train' | 'test'): Promise<SplitData> {
  const s = meta.splits[split];
  if (!s) throw new LabFailure('dataset-incomplete', `dataset ${meta.id} has no ${split} split`);
  const xs = await readNpy(path.join(dir, s.inputs));
  const ys = await readNpy(path.join(dir, s.labels));
  const per = meta.shape.reduce((a, b) => a * b, 1);
  if (xs.header.shape[0] !== s.count || xs.header.size !== s.count * per) {
    throw new LabFailure(
      'dataset-corrupt',
      `${meta.id}/${s.inputs}: shape (${xs.header.shape.join(', ')}) ≠ meta.json`,
    );
  }
  if (ys.header.size !== s.count) {
    throw new LabFailure(
      'dataset-corrupt',
      `${meta.id}/${s.labels}: ${ys.header.size} labels for ${s.count} examples`,
    );
  }
  const x = xs.data instanceof Uint8Array ? xs.data : Float32Array.from(xs.data);
  const y = ys.data instanceof Int32Array ? ys.data : Int32Array.from(ys.data);
  const classes = meta.classNames.length;
  for (const l of y) {
    if (l < 0 || l >= classes)
      throw new LabFailure('dataset-corrupt', `${meta.id}: label ${l} outside 0…${classes - 1}`);
  }
  return { count: s.count, x, y };
}

/** Reads a stored dataset (`<dataDir>/datasets/<id>`) into memory, validating it against meta.json. */
export async function loadDataset(dataDir: string, id: string): Promise<LoadedDataset> {
  const dir = path.join(dataDir, 'datasets', id);
  let meta: DatasetMeta;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LabFailure('not-found', `dataset "${id}" is not in ${path.join(dataDir, 'datasets')}`);
    }
    throw new LabFailure(
      'dataset-corrupt',
      `dataset "${id}": unreadable meta.json (${(e as Error).message})`,
    );
  }
  if (meta.kind === 'corruptions') {
    throw new LabFailure(
      'invalid-spec',
      `dataset "${id}" is a corruption suite: it evaluates, it does not train`,
    );
  }
  const [train, test] = await Promise.all([loadSplit(dir, meta, 'train'), loadSplit(dir, meta, 'test')]);
  return { meta, shape: meta.shape, classes: meta.classNames.length, train, test };
}
