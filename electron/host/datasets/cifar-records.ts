import type { ByteReader } from './byte-reader.js';
import { corrupt } from './errors.js';

/** CIFAR binary variants. */
export type CifarVariant = 'cifar10' | 'cifar100';

/** Pixels per record: 3 planes of 32×32. */
export const CIFAR_PIXELS = 3072;

/** Bytes per record: CIFAR-10 is label + pixels, CIFAR-100 is coarse label + fine label + pixels. */
export function recordSize(variant: CifarVariant): number {
  return variant === 'cifar10' ? 3073 : 3074;
}

/** Offset of the label byte used within a record. */
export function labelByte(variant: CifarVariant, labelSet: 'fine' | 'coarse'): number {
  return variant === 'cifar100' && labelSet === 'fine' ? 1 : 0;
}

/** Role of a file of the binary release by its base name. */
export function cifarFileRole(name: string): { variant: CifarVariant; split: 'train' | 'test' } | undefined {
  if (/^data_batch_\d+\.bin$/i.test(name)) return { variant: 'cifar10', split: 'train' };
  if (/^test_batch\.bin$/i.test(name)) return { variant: 'cifar10', split: 'test' };
  if (/^train\.bin$/i.test(name)) return { variant: 'cifar100', split: 'train' };
  if (/^test\.bin$/i.test(name)) return { variant: 'cifar100', split: 'test' };
  return undefined;
}

/** Sorts batch files so data_batch_2 comes before data_batch_10. */
export function compareBatchNames(a: string, b: string): number {
  const na = Number(/(\d+)\.bin$/i.exec(a)?.[1] ?? 0);
  const nb = Number(/(\d+)\.bin$/i.exec(b)?.[1] ?? 0);
  return na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

/** Converts `k` records (channel-planar R, G, B planes of 32×32 row-major) to NHWC pixels and labels. */
export function convertRecords(
  buf: Uint8Array,
  k: number,
  variant: CifarVariant,
  labelAt: number,
): { x: Uint8Array; y: Int32Array } {
  const rec = recordSize(variant);
  const head = rec - CIFAR_PIXELS;
  const x = new Uint8Array(k * CIFAR_PIXELS);
  const y = new Int32Array(k);
  for (let r = 0; r < k; r++) {
    const base = r * rec;
    y[r] = buf[base + labelAt] as number;
    const src = base + head;
    const dst = r * CIFAR_PIXELS;
    for (let p = 0; p < 1024; p++) {
      const o = dst + p * 3;
      x[o] = buf[src + p] as number;
      x[o + 1] = buf[src + 1024 + p] as number;
      x[o + 2] = buf[src + 2048 + p] as number;
    }
  }
  return { x, y };
}

/** Labels of `k` records only. */
export function recordLabels(buf: Uint8Array, k: number, variant: CifarVariant, labelAt: number): Int32Array {
  const rec = recordSize(variant);
  const y = new Int32Array(k);
  for (let r = 0; r < k; r++) y[r] = buf[r * rec + labelAt] as number;
  return y;
}

/**
 * Reads `count` records from a batch stream in groups of about 1 MiB; yields the raw group and its
 * record count. The stream must hold exactly `count` records.
 */
export async function* recordGroups(
  reader: ByteReader,
  count: number,
  variant: CifarVariant,
  file: string,
): AsyncGenerator<[Uint8Array, number]> {
  const rec = recordSize(variant);
  const group = Math.max(1, Math.floor((1 << 20) / rec));
  for (let i = 0; i < count; i += group) {
    const k = Math.min(group, count - i);
    const buf = await reader.readExact(k * rec);
    if (buf.length < k * rec)
      throw corrupt(file, `truncated after ${i + Math.floor(buf.length / rec)} of ${count} records`);
    yield [buf, k];
  }
}

/** Record count of a batch of `bytes`, which must be a whole number of records. */
export function recordCount(bytes: number, variant: CifarVariant, file: string): number {
  const rec = recordSize(variant);
  if (bytes % rec !== 0) {
    throw corrupt(
      file,
      `${bytes} bytes is not a whole number of ${rec}-byte ${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} records (truncated or not this format)`,
    );
  }
  return bytes / rec;
}
