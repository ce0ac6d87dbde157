import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DatasetMeta } from '../../../shared/dataset-types.js';
import { npyTypedArray, parseNpyHeader, type NpyHeader } from '../../../shared/npy.js';
import { failure } from './errors.js';

/** Sample examples of a stored split, as the UI's sample grid wants them. */
export interface StoredSamples {
  /** Image height (1 for tabular rows). */
  height: number;
  /** Image width (features for tabular rows). */
  width: number;
  /** Channels (1 for tabular rows). */
  channels: number;
  /** Examples with their labels; pixels in [0, 255], or feature values for tabular sets. */
  items: { label: number; pixels: number[] }[];
}

async function header(handle: fs.FileHandle, label: string): Promise<NpyHeader> {
  const buf = Buffer.alloc(4096);
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
  try {
    return parseNpyHeader(buf.subarray(0, bytesRead));
  } catch (e) {
    throw failure('dataset-corrupt', `${label}: ${(e as Error).message}`);
  }
}

/**
 * Reads `count` examples spread evenly over a stored split (for suites: over the first corruption
 * file, all severities) with positional reads, never loading the whole file.
 */
export async function readSamples(
  dir: string,
  meta: DatasetMeta,
  split: 'train' | 'test',
  count: number,
): Promise<StoredSamples> {
  const s = meta.splits[split];
  if (!s) throw failure('not-found', `dataset "${meta.id}" has no ${split} split`);
  const inputs = meta.kind === 'corruptions' ? meta.corruptions?.[0]?.file : s.inputs;
  if (!inputs) throw failure('not-found', `dataset "${meta.id}" has no inputs`);
  const shape = meta.kind === 'tabular' ? [1, meta.shape[0] ?? 0, 1] : meta.shape;
  const [height = 1, width = 1, channels = 1] = shape;
  const xh = await fs.open(path.join(dir, inputs), 'r');
  const yh = await fs.open(path.join(dir, s.labels), 'r');
  try {
    const hx = await header(xh, `${meta.id}/${inputs}`);
    const hy = await header(yh, `${meta.id}/${s.labels}`);
    const rows = hx.shape[0] ?? 0;
    const per = hx.size / Math.max(1, rows);
    const n = Math.max(0, Math.min(Math.floor(count), rows, 256));
    const items: StoredSamples['items'] = [];
    for (let k = 0; k < n; k++) {
      const i = Math.floor((k * rows) / n);
      const xb = Buffer.alloc(per * hx.itemSize);
      await xh.read(xb, 0, xb.length, hx.dataOffset + i * per * hx.itemSize);
      const yb = Buffer.alloc(4);
      await yh.read(yb, 0, 4, hy.dataOffset + (i % Math.max(1, s.count)) * 4);
      items.push({
        label: yb.readInt32LE(0),
        pixels: Array.from(
          npyTypedArray({ ...hx, size: per }, new Uint8Array(xb.buffer, xb.byteOffset, xb.byteLength)),
        ),
      });
    }
    return { height, width, channels, items };
  } finally {
    await xh.close();
    await yh.close();
  }
}
