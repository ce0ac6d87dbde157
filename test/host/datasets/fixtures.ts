/**
 * Byte-exact writers of the real dataset formats, written independently of the importers so the
 * tests check the importers against the formats, not against themselves.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterEach, beforeEach } from 'vitest';
import { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';

/** A temporary folder and its cleanup. */
export async function tmpDir(prefix = 'lgg-ds-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Seeded PRNG for fixtures (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Deterministic bytes. */
export function bytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** An IDX file: 0, 0, type 0x08, ndims, big-endian uint32 dims, data. */
export function idx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const dv = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Writes an MNIST-style folder (train/t10k pairs) with `n` train and `m` test images of h×w. */
export async function writeIdxFolder(
  dir: string,
  opts: { n: number; m: number; h?: number; w?: number; gz?: boolean; prefix?: string; classes?: number },
): Promise<{ trainX: Uint8Array; trainY: Uint8Array; testX: Uint8Array; testY: Uint8Array }> {
  const h = opts.h ?? 28;
  const w = opts.w ?? 28;
  const k = opts.classes ?? 10;
  await fs.mkdir(dir, { recursive: true });
  const trainX = bytes(opts.n * h * w, 1);
  const testX = bytes(opts.m * h * w, 2);
  const trainY = Uint8Array.from({ length: opts.n }, (_, i) => i % k);
  const testY = Uint8Array.from({ length: opts.m }, (_, i) => (i * 3) % k);
  const p = opts.prefix ?? '';
  const write = async (name: string, data: Uint8Array): Promise<void> => {
    const file = path.join(dir, `${p}${name}${opts.gz ? '.gz' : ''}`);
    await fs.writeFile(file, opts.gz ? zlib.gzipSync(data) : data);
  };
  await write('train-images-idx3-ubyte', idx([opts.n, h, w], trainX));
  await write('train-labels-idx1-ubyte', idx([opts.n], trainY));
  if (opts.m > 0) {
    await write('t10k-images-idx3-ubyte', idx([opts.m, h, w], testX));
    await write('t10k-labels-idx1-ubyte', idx([opts.m], testY));
  }
  return { trainX, trainY, testX, testY };
}

/** CIFAR records: CIFAR-10 = label + 3072 planar bytes; CIFAR-100 = coarse + fine + 3072. */
export function cifarRecords(
  n: number,
  variant: 'cifar10' | 'cifar100',
  seed: number,
): { data: Uint8Array; labels: number[]; coarse: number[] } {
  const rec = variant === 'cifar10' ? 3073 : 3074;
  const data = new Uint8Array(n * rec);
  const labels: number[] = [];
  const coarse: number[] = [];
  const pix = bytes(n * 3072, seed);
  for (let i = 0; i < n; i++) {
    const fine = variant === 'cifar10' ? (i + seed) % 10 : (i * 7 + seed) % 100;
    const c = fine % 20;
    if (variant === 'cifar10') data[i * rec] = fine;
    else {
      data[i * rec] = c;
      data[i * rec + 1] = fine;
    }
    labels.push(fine);
    coarse.push(c);
    data.set(pix.subarray(i * 3072, (i + 1) * 3072), i * rec + rec - 3072);
  }
  return { data, labels, coarse };
}

/** Pixel (r, c, ch) of record i, read from the planar layout. */
export function cifarPixel(
  data: Uint8Array,
  rec: number,
  i: number,
  r: number,
  c: number,
  ch: number,
): number {
  return data[i * rec + (rec - 3072) + ch * 1024 + r * 32 + c] ?? -1;
}

/** One ustar member. */
export interface TarMember {
  name: string;
  data?: Uint8Array;
  type?: '0' | '1' | '2' | '5';
  linkname?: string;
}

/** A ustar header block (POSIX.1-1988, checksum filled in) for a member of `size` bytes. */
export function tarHeader(m: TarMember, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number): void => {
    for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
  };
  let name = m.name;
  if (name.length > 100) {
    const cut = name.lastIndexOf('/', 155);
    put(name.slice(0, cut), 345);
    name = name.slice(cut + 1);
  }
  put(name, 0);
  put('0000644\0', 100);
  put('0001750\0', 108);
  put('0001750\0', 116);
  put(`${size.toString(8).padStart(11, '0')}\0`, 124);
  put('14044520170\0', 136);
  put('        ', 148);
  put(m.type ?? '0', 156);
  if (m.linkname) put(m.linkname, 157);
  put('ustar\0', 257);
  put('00', 263);
  put('user', 265);
  put('user', 297);
  let sum = 0;
  for (const v of h) sum += v;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A ustar archive (headers with checksums, 512-byte blocks, two zero blocks at the end). */
export function tar(members: TarMember[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const m of members) {
    blocks.push(tarHeader(m, m.data?.length ?? 0));
    if (m.data && m.data.length > 0) {
      blocks.push(m.data);
      blocks.push(new Uint8Array((512 - (m.data.length % 512)) % 512));
    }
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

/** A `.npy` file as NumPy 1.x/2.x writes it: version 1.0, dict header padded with spaces to a multiple of 64, newline. */
export function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  dict += `${' '.repeat(pad === 64 ? 0 : pad)}\n`;
  const out = new Uint8Array(10 + dict.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, dict.length & 0xff, dict.length >> 8]);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.set(data, 10 + dict.length);
  return out;
}

/** Little-endian bytes of a typed array. */
export function le(a: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** One zip member. */
export interface ZipMember {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  symlink?: boolean;
}

/**
 * A zip as `np.savez` writes it through Python's zipfile: local headers with sizes 0xffffffff and a
 * zip64 extra field (force_zip64), central directory with the real sizes, Unix attributes.
 */
export function zip(members: ZipMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const body = m.deflate ? new Uint8Array(zlib.deflateRawSync(m.data)) : m.data;
    const crc = zlib.crc32(m.data);
    const local = new DataView(new ArrayBuffer(30 + name.length + 20));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 45, true);
    local.setUint16(8, m.deflate ? 8 : 0, true);
    local.setUint16(12, 0x21, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, 0xffffffff, true);
    local.setUint32(22, 0xffffffff, true);
    local.setUint16(26, name.length, true);
    local.setUint16(28, 20, true);
    new Uint8Array(local.buffer).set(name, 30);
    local.setUint16(30 + name.length, 1, true);
    local.setUint16(32 + name.length, 16, true);
    local.setBigUint64(34 + name.length, BigInt(m.data.length), true);
    local.setBigUint64(42 + name.length, BigInt(body.length), true);
    const cd = new DataView(new ArrayBuffer(46 + name.length));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 0x032d, true);
    cd.setUint16(6, 45, true);
    cd.setUint16(10, m.deflate ? 8 : 0, true);
    cd.setUint16(14, 0x21, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, body.length, true);
    cd.setUint32(24, m.data.length, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(38, (m.symlink ? 0o120777 : 0o100600) * 65536, true);
    cd.setUint32(42, offset, true);
    new Uint8Array(cd.buffer).set(name, 46);
    parts.push(new Uint8Array(local.buffer), body);
    central.push(new Uint8Array(cd.buffer));
    offset += local.byteLength + body.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, members.length, true);
  eocd.setUint16(10, members.length, true);
  eocd.setUint32(12, cdSize, true);
  eocd.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...central, new Uint8Array(eocd.buffer)]);
}

/** A PNG (RGBA or grey source pixels encoded by pngjs). */
export function png(
  width: number,
  height: number,
  rgb: (x: number, y: number) => [number, number, number],
  grey = false,
): Uint8Array {
  const img = new PNG({ width, height, colorType: grey ? 0 : 6, inputColorType: 6 });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      const o = (y * width + x) * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(img, grey ? { colorType: 0, inputColorType: 6 } : {}));
}

/** A baseline JPEG encoded by jpeg-js. */
export function jpg(
  width: number,
  height: number,
  rgb: (x: number, y: number) => [number, number, number],
  quality = 95,
): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(jpeg.encode({ width, height, data }, quality).data);
}

/** Writes files under a root: { 'a/b.png': bytes }. */
export async function writeTree(root: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
}

/** Resolves with the promise's value or error, or rejects after `ms` (no test may hang). */
export async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The LabFailure code of a rejected promise (fails the test if it resolves or throws something else). */
export async function failureCode(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    if (err.name !== 'LabFailure') throw new Error(`expected a LabFailure, got ${String(e)}`);
    return { code: err.code ?? '', message: err.message ?? '' };
  }
  throw new Error('expected a failure, but it succeeded');
}

/** Reads a stored `.npy` (uint8/int32/float32, v1.0) as shape + values. */
export async function readStoredNpy(
  file: string,
): Promise<{ descr: string; shape: number[]; values: Uint8Array | Int32Array | Float32Array }> {
  const b = new Uint8Array(await fs.readFile(file));
  const len = (b[8] ?? 0) | ((b[9] ?? 0) << 8);
  const header = Buffer.from(b.subarray(10, 10 + len)).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const data = b.slice(10 + len);
  const values =
    descr === '|u1' ? data : descr === '<i4' ? new Int32Array(data.buffer) : new Float32Array(data.buffer);
  return { descr, shape, values };
}

/**
 * A fresh temporary folder and a DatasetStore on `<folder>/lab` before each test (removed after);
 * `set` receives both, for the test file's variables.
 */
export function useTempStore(set: (dir: string, store: DatasetStore) => void): void {
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const t = await tmpDir();
    cleanup = t.cleanup;
    set(t.dir, new DatasetStore(path.join(t.dir, 'lab')));
  });
  afterEach(() => cleanup?.());
}
