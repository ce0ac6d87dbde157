import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import {
  bytes,
  cifarRecords,
  idx,
  jpg,
  le,
  npy,
  png,
  rng,
  tar,
  tmpDir,
  within,
  writeTree,
  zip,
} from './fixtures.js';

/**
 * Random truncations and byte flips of valid sources, seeded: every import must end in a dataset
 * or a typed LabFailure, never another exception, never a hang.
 */
const TYPED = new Set([
  'dataset-corrupt',
  'dataset-invalid',
  'dataset-too-large',
  'unsupported-format',
  'archive-unsafe',
]);
const ITERATION_MS = 10_000;

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir: root, cleanup } = await tmpDir('lgg-fuzz-'));
});
afterAll(() => cleanup());

function mutate(original: Uint8Array, r: () => number): { bytes: Uint8Array; what: string } {
  const kind = r();
  let b = Uint8Array.from(original);
  const what: string[] = [];
  if (kind < 0.4 || kind >= 0.8) {
    const flips = 1 + Math.floor(r() * 4);
    for (let i = 0; i < flips; i++) {
      // Half the flips land in the first bytes, where headers and sizes live.
      const at = Math.floor(r() * (r() < 0.5 ? Math.min(b.length, 600) : b.length));
      const mask = 1 + Math.floor(r() * 255);
      b[at] = (b[at] ?? 0) ^ mask;
      what.push(`flip@${at}^${mask}`);
    }
  }
  if (kind >= 0.4) {
    const len = Math.floor(r() * b.length);
    b = b.subarray(0, len);
    what.push(`truncate@${len}`);
  }
  return { bytes: b, what: what.join(',') };
}

/** Fuzzes the files `targets` (relative to `src`) of a source imported from `importPath`. */
async function fuzz(
  label: string,
  src: string,
  importPath: string,
  targets: string[],
  iterations: number,
  seed: number,
): Promise<{ ok: number; failed: Record<string, number> }> {
  const store = new DatasetStore(path.join(root, `lab-${label}`));
  await store.import(importPath, { name: `${label} baseline` });
  const originals = new Map<string, Uint8Array>();
  for (const t of targets) originals.set(t, new Uint8Array(await fs.readFile(path.join(src, t))));
  const r = rng(seed);
  const failed: Record<string, number> = {};
  let ok = 0;
  for (let i = 0; i < iterations; i++) {
    const target = targets[i % targets.length] as string;
    const m = mutate(originals.get(target) as Uint8Array, r);
    await fs.writeFile(path.join(src, target), m.bytes);
    try {
      const meta = await within(store.import(importPath, { name: `${label} ${i}` }), ITERATION_MS);
      ok++;
      await store.remove(meta.id);
    } catch (e) {
      const err = e as { name?: string; code?: string; message?: string };
      if (err.name !== 'LabFailure' || !TYPED.has(err.code ?? '')) {
        throw new Error(
          `${label} iteration ${i} (${target}: ${m.what}): ${err.name ?? ''} ${err.code ?? ''} ${err.message ?? String(e)}`,
        );
      }
      failed[err.code ?? ''] = (failed[err.code ?? ''] ?? 0) + 1;
    } finally {
      await fs.writeFile(path.join(src, target), originals.get(target) as Uint8Array);
    }
  }
  expect(await fs.readdir(path.join(root, `lab-${label}`, 'tmp'))).toEqual([]);
  expect((await store.list()).map((d) => d.name)).toEqual([`${label} baseline`]);
  return { ok, failed };
}

describe('fuzzing the importers', () => {
  it('IDX (raw and gzip)', async () => {
    const src = path.join(root, 'idx');
    const img = bytes(12 * 6 * 5, 1);
    await writeTree(src, {
      'train-images-idx3-ubyte': idx([12, 6, 5], img),
      'train-labels-idx1-ubyte': idx(
        [12],
        Uint8Array.from({ length: 12 }, (_, i) => i % 4),
      ),
      't10k-images-idx3-ubyte.gz': zlib.gzipSync(idx([4, 6, 5], img.subarray(0, 120))),
      't10k-labels-idx1-ubyte.gz': zlib.gzipSync(idx([4], Uint8Array.of(0, 1, 2, 3))),
    });
    const res = await fuzz(
      'idx',
      src,
      src,
      [
        'train-images-idx3-ubyte',
        'train-labels-idx1-ubyte',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
      ],
      240,
      11,
    );
    expect(Object.keys(res.failed).length).toBeGreaterThan(0);
  });

  it('CIFAR batches and tar.gz', async () => {
    const src = path.join(root, 'cifar');
    const train = cifarRecords(6, 'cifar10', 1).data;
    const test = cifarRecords(3, 'cifar10', 2).data;
    const names = Buffer.from('a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n');
    await writeTree(src, {
      'b/data_batch_1.bin': train,
      'b/test_batch.bin': test,
      'b/batches.meta.txt': names,
    });
    await fuzz(
      'cifar',
      src,
      path.join(src, 'b'),
      ['b/data_batch_1.bin', 'b/test_batch.bin', 'b/batches.meta.txt'],
      150,
      12,
    );
    const archive = tar([
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: train },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: test },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: names },
    ]);
    await writeTree(src, { 'c.tar': archive, 'c.tar.gz': zlib.gzipSync(archive) });
    await fuzz('tar', src, path.join(src, 'c.tar'), ['c.tar'], 150, 13);
    await fuzz('targz', src, path.join(src, 'c.tar.gz'), ['c.tar.gz'], 100, 14);
  });

  it('.npy pairs and .npz archives', async () => {
    const src = path.join(root, 'npy');
    const x = npy('|u1', [10, 4, 4, 1], bytes(160, 3));
    const xf = npy('<f4', [10, 1, 4, 4], le(Float32Array.from({ length: 160 }, (_, i) => (i % 10) / 10)));
    const y = npy('<i8', [10], le(BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i % 3))));
    await writeTree(src, { 'a/x_train.npy': x, 'a/y_train.npy': y, 'a/x_test.npy': xf, 'a/y_test.npy': y });
    await fuzz('npy', src, path.join(src, 'a'), ['a/x_train.npy', 'a/y_train.npy', 'a/x_test.npy'], 200, 15);
    await writeTree(src, {
      's.npz': zip([
        { name: 'x.npy', data: x },
        { name: 'y.npy', data: y },
      ]),
      'd.npz': zip([
        { name: 'x.npy', data: xf, deflate: true },
        { name: 'y.npy', data: y, deflate: true },
      ]),
    });
    await fuzz('npz', src, path.join(src, 's.npz'), ['s.npz'], 150, 16);
    await fuzz('npzd', src, path.join(src, 'd.npz'), ['d.npz'], 150, 17);
  });

  it('CSV', async () => {
    const src = path.join(root, 'csv');
    await writeTree(src, {
      't.csv': `f1,f2,label\n${Array.from({ length: 20 }, (_, i) => `${i},${i * 0.5},${['a', 'b'][i % 2] ?? ''}`).join('\n')}\n`,
    });
    await fuzz('csv', src, path.join(src, 't.csv'), ['t.csv'], 200, 18);
  });

  it('image folders (PNG and JPEG)', async () => {
    const src = path.join(root, 'img');
    await writeTree(src, {
      'f/a/1.png': png(6, 6, (x, y) => [x * 40, y * 40, 90]),
      'f/a/2.jpg': jpg(6, 6, (x, y) => [x * 40, 200, y * 30]),
      'f/b/1.png': png(6, 6, () => [9, 9, 9], true),
      'f/b/2.jpg': jpg(8, 6, (x) => [x * 30, 20, 20]),
    });
    await fuzz(
      'img',
      src,
      path.join(src, 'f'),
      ['f/a/1.png', 'f/a/2.jpg', 'f/b/1.png', 'f/b/2.jpg'],
      200,
      19,
    );
  });

  it('corruption suites', async () => {
    const src = path.join(root, 'c');
    await writeTree(src, {
      's-c/labels.npy': npy('|u1', [4], Uint8Array.of(0, 1, 1, 0)),
      's-c/fog.npy': npy('|u1', [20, 4, 4, 3], bytes(20 * 48, 5)),
      's-c/blur.npy': npy('|u1', [4, 4, 4, 3], bytes(4 * 48, 6)),
    });
    await fuzz(
      'suite',
      src,
      path.join(src, 's-c'),
      ['s-c/labels.npy', 's-c/fog.npy', 's-c/blur.npy'],
      150,
      20,
    );
  });
});
