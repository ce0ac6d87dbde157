import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { bytes, failureCode, le, npy, readStoredNpy, useTempStore, writeTree, zip } from './fixtures.js';

let dir: string;
let store: DatasetStore;
useTempStore((d, s) => {
  dir = d;
  store = s;
});

const labels64 = (v: number[]): Uint8Array => le(BigInt64Array.from(v.map(BigInt)));

describe('NumPy .npy importer', () => {
  it('imports x_train/y_train/x_test/y_test uint8 NHWC with int64 labels and classes.txt', async () => {
    const src = path.join(dir, 'arrays');
    const xTrain = bytes(12 * 5 * 4 * 3, 1);
    await writeTree(src, {
      'x_train.npy': npy('|u1', [12, 5, 4, 3], xTrain),
      'y_train.npy': npy('<i8', [12], labels64([...Array(12).keys()].map((i) => i % 3))),
      'x_test.npy': npy('|u1', [3, 5, 4, 3], bytes(3 * 60, 2)),
      'y_test.npy': npy('<i8', [3], labels64([2, 1, 0])),
      'classes.txt': 'red\ngreen\nblue\n',
    });
    const p = await store.preview(path.join(src, 'x_train.npy'));
    expect(p.format).toBe('npy');
    expect(p.shape).toEqual([5, 4, 3]);
    expect(p.classNames).toEqual(['red', 'green', 'blue']);
    expect(p.splits.test?.countsPerClass).toEqual([1, 1, 1]);
    const meta = await store.import(src, {});
    const x = await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'));
    expect(Buffer.from(x.values as Uint8Array).equals(Buffer.from(xTrain))).toBe(true);
  });

  it('detects NCHW floats in [0, 1], converts to NHWC uint8 and states it', async () => {
    const src = path.join(dir, 'nchw');
    const n = 4;
    const v = Float32Array.from({ length: n * 3 * 2 * 2 }, (_, i) => (i % 11) / 10);
    await writeTree(src, {
      'images.npy': npy('<f4', [n, 3, 2, 2], le(v)),
      'labels.npy': npy('<i4', [n], le(Int32Array.of(0, 1, 0, 1))),
    });
    const p = await store.preview(src, { testFraction: 0.5 });
    expect(p.shape).toEqual([2, 2, 3]);
    expect(p.dtype).toBe('float32');
    expect(p.notes?.join('\n')).toMatch(/NCHW layout detected/);
    expect(p.warnings).toEqual([]);
    expect(p.notes?.join('\n')).toMatch(/values in \[0, 1\] detected; scaled/);
    // Example 0, pixel (1, 0), channel 2 = v[0*12 + 2*4 + 1*2 + 0].
    expect(p.samples[0]?.pixels[(1 * 2 + 0) * 3 + 2]).toBe(Math.round((v[2 * 4 + 2] ?? 0) * 255));
  });

  it('reads floats in [0, 255], greyscale (N, H, W) and one-hot labels', async () => {
    const src = path.join(dir, 'grey');
    const v = Float64Array.from({ length: 6 * 3 * 3 }, (_, i) => (i * 7) % 256);
    const onehot = Float32Array.from({ length: 6 * 4 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0));
    await writeTree(src, { 'X.npy': npy('<f8', [6, 3, 3], le(v)), 'y.npy': npy('<f4', [6, 4], le(onehot)) });
    const meta = await store.import(src, { testFraction: 0.5 });
    expect(meta.shape).toEqual([3, 3, 1]);
    expect(meta.classNames).toHaveLength(4);
    const p = await store.preview(src, { testFraction: 0.5 });
    expect(p.warnings.join('\n')).toMatch(/one-hot/);
    expect(p.samples[1]?.pixels).toEqual(Array.from(v.subarray(9, 18)));
    expect(p.samples[1]?.label).toBe(1);
  });

  it('stores 2-D arrays as tabular features', async () => {
    const src = path.join(dir, 'tab');
    await writeTree(src, {
      'features.npy': npy('<f8', [10, 3], le(Float64Array.from({ length: 30 }, (_, i) => i / 3))),
      'targets.npy': npy('<i4', [10], le(Int32Array.from({ length: 10 }, (_, i) => i % 2))),
    });
    const meta = await store.import(src, {});
    expect(meta.kind).toBe('tabular');
    expect(meta.shape).toEqual([3]);
    expect((await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'))).descr).toBe('<f4');
  });

  describe('bad input', () => {
    it('refuses counts that disagree, bad labels and Fortran order', async () => {
      const src = path.join(dir, 'bad');
      await writeTree(src, {
        'x.npy': npy('|u1', [4, 2, 2], bytes(16, 1)),
        'y.npy': npy('<i4', [3], le(Int32Array.of(0, 1, 2))),
      });
      expect((await failureCode(store.preview(src))).message).toMatch(/4 inputs but 3 labels/);
      await writeTree(src, { 'y.npy': npy('<i4', [4], le(Int32Array.of(0, 1, -2, 1))) });
      expect((await failureCode(store.preview(src))).message).toMatch(/label -2 at index 2/);
      await writeTree(src, { 'y.npy': npy('<f4', [4], le(Float32Array.of(0, 1, 0.5, 1))) });
      expect((await failureCode(store.preview(src))).code).toBe('dataset-invalid');
      await writeTree(src, {
        'y.npy': npy('<i4', [4], le(Int32Array.of(0, 1, 0, 1))),
        'x.npy': npy('|u1', [4, 2, 2], bytes(16, 1), true),
      });
      expect((await failureCode(store.preview(src))).message).toMatch(/Fortran-order/);
    });

    it('refuses a declared shape needing gigabytes, and a truncated array, before reading data', async () => {
      const src = path.join(dir, 'huge');
      await writeTree(src, {
        'x.npy': npy('|u1', [1_000_000, 1000, 1000, 3], new Uint8Array(16)),
        'y.npy': npy('<i4', [1], le(Int32Array.of(0))),
      });
      expect((await failureCode(store.preview(src))).code).toBe('dataset-too-large');
      await writeTree(src, { 'x.npy': npy('|u1', [100, 28, 28], new Uint8Array(16)) });
      expect((await failureCode(store.preview(src))).message).toMatch(/truncated/);
    });

    it('refuses a wrong magic string and an unsupported dtype', async () => {
      const src = path.join(dir, 'magic');
      const x = npy('|u1', [2, 2, 2], bytes(8, 1));
      x[1] = 0x41;
      await writeTree(src, { 'x.npy': x, 'y.npy': npy('<i4', [2], le(Int32Array.of(0, 1))) });
      expect(await failureCode(store.preview(src))).toEqual({
        code: 'dataset-corrupt',
        message: expect.stringMatching(/x\.npy: not a \.npy file/) as string,
      });
      await writeTree(src, { 'x.npy': npy('<c8', [2, 2, 2], new Uint8Array(64)) });
      expect((await failureCode(store.preview(src))).message).toMatch(
        /cannot tell inputs from labels|unsupported/,
      );
    });

    it('refuses image values outside [0, 255]', async () => {
      const src = path.join(dir, 'norm');
      await writeTree(src, {
        'x.npy': npy('<f4', [2, 2, 2], le(Float32Array.of(-1, 0.5, 2, 3, 0, 1, 1, 1))),
        'y.npy': npy('<i4', [2], le(Int32Array.of(0, 1))),
      });
      expect((await failureCode(store.preview(src))).message).toMatch(/span \[-1, 3\]/);
    });
  });
});

describe('NumPy .npz importer', () => {
  const members = (deflate: boolean) => [
    { name: 'x_train.npy', data: npy('|u1', [6, 4, 4], bytes(96, 3)), deflate },
    { name: 'y_train.npy', data: npy('<i8', [6], labels64([0, 1, 2, 0, 1, 2])), deflate },
    { name: 'x_test.npy', data: npy('|u1', [3, 4, 4], bytes(48, 4)), deflate },
    { name: 'y_test.npy', data: npy('<i8', [3], labels64([2, 1, 0])), deflate },
  ];

  it('imports stored (np.savez) and deflated (np.savez_compressed) archives identically', async () => {
    await fs.writeFile(path.join(dir, 'plain.npz'), zip(members(false)));
    await fs.writeFile(path.join(dir, 'small.npz'), zip(members(true)));
    const a = await store.import(path.join(dir, 'plain.npz'), {});
    const b = await store.import(path.join(dir, 'small.npz'), {});
    expect(a.source.format).toBe('npz');
    expect(a.name).toBe('plain');
    for (const f of ['train-x.npy', 'test-y.npy']) {
      const va = (await readStoredNpy(path.join(store.dir(a.id), f))).values;
      const vb = (await readStoredNpy(path.join(store.dir(b.id), f))).values;
      expect(Array.from(va)).toEqual(Array.from(vb));
    }
    expect(Array.from((await readStoredNpy(path.join(store.dir(a.id), 'test-y.npy'))).values)).toEqual([
      2, 1, 0,
    ]);
  });

  it('maps unusual keys with npzKeys and splits a single pool', async () => {
    const file = path.join(dir, 'odd.npz');
    await fs.writeFile(
      file,
      zip([
        { name: 'pics.npy', data: npy('|u1', [10, 2, 2], bytes(40, 5)), deflate: true },
        {
          name: 'cls.npy',
          data: npy(
            '|u1',
            [10],
            Uint8Array.from({ length: 10 }, (_, i) => i % 2),
          ),
        },
        { name: 'names.npy', data: npy('<U5', [2], new Uint8Array(40)) },
      ]),
    );
    expect((await failureCode(store.preview(file))).message).toMatch(/cannot tell inputs from labels/);
    const p = await store.preview(file, { npzKeys: { x: 'pics', y: 'cls' } });
    expect(p.splits.train?.count).toBe(8);
    expect(p.warnings.join('\n')).toMatch(/skipped .*names\.npy/);
  });

  describe('bad input', () => {
    it('refuses unsafe member names and symlinks', async () => {
      const good = members(false);
      for (const [label, extra] of [
        ['dotdot', { name: '../x.npy', data: new Uint8Array(4) }],
        ['absolute', { name: '/tmp/x.npy', data: new Uint8Array(4) }],
        ['symlink', { name: 'link.npy', data: Buffer.from('/etc/passwd'), symlink: true }],
      ] as const) {
        const file = path.join(dir, `${label}.npz`);
        await fs.writeFile(file, zip([...good, extra]));
        expect((await failureCode(store.import(file, { name: label }))).code, label).toBe('archive-unsafe');
      }
    });

    it('refuses a member whose declared size is a bomb, before inflating it', async () => {
      const archive = Buffer.from(zip(members(true)));
      // Central directory entry of the first member: claim 2 GiB uncompressed.
      const cd = archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      archive.writeUInt32LE(0x7fffffff, cd + 24);
      const file = path.join(dir, 'bomb.npz');
      await fs.writeFile(file, archive);
      expect((await failureCode(store.preview(file))).code).toBe('dataset-too-large');
    });

    it('detects a damaged member through its CRC', async () => {
      const archive = Buffer.from(zip(members(false)));
      archive[200] = (archive[200] ?? 0) ^ 0xff;
      const file = path.join(dir, 'crc.npz');
      await fs.writeFile(file, archive);
      expect((await failureCode(store.import(file, {}))).message).toMatch(/CRC-32 mismatch|label|bad/);
    });

    it('refuses a truncated archive', async () => {
      const archive = zip(members(true));
      await fs.writeFile(path.join(dir, 't.npz'), archive.subarray(0, archive.length - 30));
      expect((await failureCode(store.preview(path.join(dir, 't.npz')))).code).toBe('dataset-corrupt');
    });
  });
});
