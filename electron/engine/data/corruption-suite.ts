import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CorruptionMeta, DatasetMeta } from '../../../shared/dataset-types.js';
import { LabFailure } from '../../../shared/result.js';
import { readNpy, readNpyHeader } from '../../common/npy-file.js';

/**
 * A stored corruption suite (CIFAR-10-C, MNIST-C, … as written by the importer): `meta.json` with
 * `kind: 'corruptions'`, shared labels in `splits.test.labels` (N per severity) and one uint8
 * `.npy` per corruption of shape [severities × N, H, W, C], severity-major.
 */
export interface CorruptionSuite {
  /** meta.json of the suite. */
  meta: DatasetMeta;
  /** The suite's folder. */
  dir: string;
  /** Labels of one severity level (the same for every level and corruption). */
  labels: Int32Array;
  /** Examples per severity, N. */
  perSeverity: number;
}

async function readMeta(dir: string): Promise<DatasetMeta | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
  } catch {
    return undefined;
  }
}

/**
 * The suite linked to a clean dataset (`linkedTo === cleanId`), the most recently imported one when
 * several are; undefined when the store has none.
 */
export async function findLinkedSuite(dataDir: string, cleanId: string): Promise<string | undefined> {
  const root = path.join(dataDir, 'datasets');
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const metas = await Promise.all(names.map((n) => readMeta(path.join(root, n))));
  const linked = metas.filter((m): m is DatasetMeta => m?.kind === 'corruptions' && m.linkedTo === cleanId);
  linked.sort((a, b) => b.source.importedAt.localeCompare(a.source.importedAt) || a.id.localeCompare(b.id));
  return linked[0]?.id;
}

/**
 * Opens a suite of the store and checks it against the clean data it will evaluate: same image
 * shape, labels within the classes.
 */
export async function openCorruptionSuite(
  dataDir: string,
  id: string,
  expect: { shape: readonly number[]; classes: number },
): Promise<CorruptionSuite> {
  const dir = path.join(dataDir, 'datasets', id);
  const meta = await readMeta(dir);
  if (!meta)
    throw new LabFailure('not-found', `corruption suite "${id}" is not in ${path.join(dataDir, 'datasets')}`);
  if (meta.kind !== 'corruptions' || !meta.corruptions || !meta.splits.test) {
    throw new LabFailure(
      'invalid-spec',
      `evaluation.corruptions.suite: dataset "${id}" is not a corruption suite`,
    );
  }
  if (meta.shape.join() !== expect.shape.join()) {
    throw new LabFailure(
      'invalid-spec',
      `evaluation.corruptions.suite: "${id}" has images of shape (${meta.shape.join(', ')}), the run's dataset (${expect.shape.join(', ')})`,
    );
  }
  const ys = await readNpy(path.join(dir, meta.splits.test.labels));
  const labels = ys.data instanceof Int32Array ? ys.data : Int32Array.from(ys.data);
  for (const l of labels) {
    if (l < 0 || l >= expect.classes) {
      throw new LabFailure(
        'dataset-corrupt',
        `${id}: label ${l} outside the run's classes 0…${expect.classes - 1}`,
      );
    }
  }
  return { meta, dir, labels, perSeverity: labels.length };
}

/**
 * Reads the images of `indices` (0…N−1) at one severity (0-based) of a corruption, as uint8 rows
 * [indices.length × H × W × C]; only those rows are read from disk.
 */
export async function readCorruptionRows(
  suite: CorruptionSuite,
  corruption: CorruptionMeta,
  severity: number,
  indices: ArrayLike<number>,
): Promise<Uint8Array> {
  const file = path.join(suite.dir, corruption.file);
  const header = await readNpyHeader(file);
  const per = suite.meta.shape.reduce((a, b) => a * b, 1);
  const rows = corruption.severities * suite.perSeverity;
  if (header.dtype !== 'uint8' || header.shape[0] !== rows || header.size !== rows * per) {
    throw new LabFailure(
      'dataset-corrupt',
      `${suite.meta.id}/${corruption.file}: expected uint8 (${rows}, ${suite.meta.shape.join(', ')}), found ${header.dtype} (${header.shape.join(', ')})`,
    );
  }
  if (header.fortranOrder)
    throw new LabFailure('dataset-corrupt', `${suite.meta.id}/${corruption.file}: Fortran order`);
  const out = new Uint8Array(indices.length * per);
  const handle = await fs.open(file, 'r');
  try {
    for (let i = 0; i < indices.length; i++) {
      const row = severity * suite.perSeverity + (indices[i] ?? 0);
      await handle.read(out, i * per, per, header.dataOffset + row * per);
    }
  } finally {
    await handle.close();
  }
  return out;
}
