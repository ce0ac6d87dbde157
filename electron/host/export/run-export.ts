import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EpochRecord } from '../../../shared/run-types.js';
import { writeFileAtomic } from '../../common/atomic-file.js';
import type { RunStore } from '../runs/run-store.js';
import { folderEntries, writeZip } from './zip-writer.js';

/** Flattens epoch records into CSV columns (`train.loss`, `test.acc`, …), one row per epoch. */
export function epochsToCsv(epochs: EpochRecord[]): string {
  const cols = new Set<string>(['epoch', 'step', 'lr', 'seconds', 'samplesPerSec']);
  const flat = epochs.map((e) => {
    const row: Record<string, number> = {
      epoch: e.epoch,
      step: e.step,
      lr: e.lr,
      seconds: e.seconds,
      samplesPerSec: e.samplesPerSec,
    };
    for (const split of ['train', 'val', 'test'] as const) {
      for (const [k, v] of Object.entries(e[split] ?? {})) {
        row[`${split}.${k}`] = v;
        cols.add(`${split}.${k}`);
      }
    }
    return row;
  });
  const header = [...cols];
  const lines = flat.map((r) => header.map((c) => (r[c] === undefined ? '' : String(r[c]))).join(','));
  return `${header.join(',')}\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** Writes an export of a run into `exportsDir` and returns its path and size. */
export async function exportRun(
  store: RunStore,
  id: string,
  format: 'json' | 'csv' | 'zip',
  exportsDir: string,
): Promise<{ path: string; bytes: number }> {
  await fs.mkdir(exportsDir, { recursive: true });
  const out = path.join(exportsDir, `${id}.${format}`);
  if (format === 'zip') {
    const bytes = await writeZip(out, await folderEntries(store.dir(id), id));
    return { path: out, bytes };
  }
  const [spec, status, metrics, report] = await Promise.all([
    store.spec(id),
    store.status(id),
    store.metrics(id),
    store.report(id),
  ]);
  const epochs = metrics.records.filter((r): r is EpochRecord => r.type === 'epoch');
  const text =
    format === 'csv'
      ? epochsToCsv(epochs)
      : `${JSON.stringify({ id, spec, status, report: report ?? null, metrics: metrics.records }, null, 2)}\n`;
  await writeFileAtomic(out, text);
  return { path: out, bytes: Buffer.byteLength(text) };
}
