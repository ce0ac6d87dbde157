import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { KNOWN_CLASS_NAMES } from './class-names.js';

/** Fills a buffer with cheap pseudo-random bytes (xorshift32), so batches are not trivially compressible. */
function fillNoise(buf: Uint8Array, seed: number): void {
  const words = new Uint32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
  let s = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
}

/** One CIFAR-10 batch of `records` records in the exact binary layout: label byte, then R, G, B planes of 32×32. */
export function cifar10Batch(records: number, seed: number): Uint8Array {
  const buf = new Uint8Array(records * 3073);
  fillNoise(buf, seed);
  for (let r = 0; r < records; r++) buf[r * 3073] = (r * 7 + seed) % 10;
  return buf;
}

/** Writes `cifar-10-batches-bin/` (5 training batches and a test batch of `perBatch` records, plus batches.meta.txt) under `dir`. */
export async function writeCifar10Folder(dir: string, perBatch: number): Promise<string> {
  const root = path.join(dir, 'cifar-10-batches-bin');
  await fs.mkdir(root, { recursive: true });
  await fs.writeFile(path.join(root, 'batches.meta.txt'), `${KNOWN_CLASS_NAMES.cifar10.join('\n')}\n\n`);
  for (let b = 1; b <= 5; b++)
    await fs.writeFile(path.join(root, `data_batch_${b}.bin`), cifar10Batch(perBatch, b));
  await fs.writeFile(path.join(root, 'test_batch.bin'), cifar10Batch(perBatch, 6));
  return root;
}

function tarHeader(name: string, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number): void => {
    for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
  };
  const oct = (v: number, len: number): string => `${v.toString(8).padStart(len - 1, '0')}\0`;
  put(name, 0);
  put(oct(0o644, 8), 100);
  put(oct(0, 8), 108);
  put(oct(0, 8), 116);
  put(oct(size, 12), 124);
  put(oct(0, 12), 136);
  put('        ', 148);
  h[156] = 0x30;
  put('ustar\0', 257);
  put('00', 263);
  let sum = 0;
  for (const v of h) sum += v;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** Packs a CIFAR-10 batch folder as `cifar-10-binary.tar.gz` (ustar, gzip level 1) next to it. */
export async function tarGzFolder(folder: string, out: string): Promise<void> {
  const names = (await fs.readdir(folder)).sort();
  const base = path.basename(folder);
  async function* blocks(): AsyncGenerator<Uint8Array> {
    for (const n of names) {
      const data = new Uint8Array(await fs.readFile(path.join(folder, n)));
      yield tarHeader(`${base}/${n}`, data.length);
      yield data;
      yield new Uint8Array((512 - (data.length % 512)) % 512);
    }
    yield new Uint8Array(1024);
  }
  await pipeline(blocks(), zlib.createGzip({ level: 1 }), createWriteStream(out));
}
