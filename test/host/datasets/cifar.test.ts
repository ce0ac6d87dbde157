import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import {
  cifarPixel,
  cifarRecords,
  failureCode,
  readStoredNpy,
  tar,
  tarHeader,
  useTempStore,
  within,
  writeTree,
} from './fixtures.js';

let dir: string;
let store: DatasetStore;
useTempStore((d, s) => {
  dir = d;
  store = s;
});

const NAMES = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

async function cifar10Folder(
  root: string,
  perBatch = 40,
): Promise<{ batches: ReturnType<typeof cifarRecords>[] }> {
  const batches = [1, 2, 3, 4, 5, 6].map((s) => cifarRecords(perBatch, 'cifar10', s));
  const files: Record<string, Uint8Array | string> = { 'batches.meta.txt': NAMES, 'readme.html': '<html/>' };
  batches.slice(0, 5).forEach((b, i) => (files[`data_batch_${i + 1}.bin`] = b.data));
  files['test_batch.bin'] = (batches[5] as ReturnType<typeof cifarRecords>).data;
  await writeTree(root, files);
  return { batches };
}

describe('CIFAR binary importer', () => {
  it('converts channel-planar CIFAR-10 records to NHWC exactly, with class names from batches.meta.txt', async () => {
    const src = path.join(dir, 'cifar-10-batches-bin');
    const { batches } = await cifar10Folder(src);
    const preview = await store.preview(path.join(src, 'data_batch_3.bin'));
    expect(preview.format).toBe('cifar10');
    expect(preview.classNames).toEqual(NAMES.trim().split('\n'));
    expect(preview.splits.train?.count).toBe(200);
    expect(preview.splits.test?.count).toBe(40);
    const meta = await store.import(src, {});
    expect(meta.name).toBe('CIFAR-10');
    expect(meta.shape).toEqual([32, 32, 3]);
    const x = (await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'))).values as Uint8Array;
    const y = (await readStoredNpy(path.join(store.dir(meta.id), 'train-y.npy'))).values;
    const b2 = batches[1] as ReturnType<typeof cifarRecords>;
    // Record 7 of data_batch_2 is example 47 of the training split.
    for (const [r, c, ch] of [
      [0, 0, 0],
      [5, 9, 1],
      [31, 31, 2],
      [16, 3, 0],
    ] as const) {
      expect(x[((47 * 32 + r) * 32 + c) * 3 + ch]).toBe(cifarPixel(b2.data, 3073, 7, r, c, ch));
    }
    expect(y[47]).toBe(b2.labels[7]);
    // Mean over the training pixels, scaled to [0, 1], channel by channel.
    let sum = 0;
    for (let i = 0; i < x.length; i += 3) sum += x[i] as number;
    expect(meta.mean[0]).toBeCloseTo(sum / (x.length / 3) / 255, 10);
  });

  it('imports CIFAR-100 with fine or coarse labels', async () => {
    const src = path.join(dir, 'cifar-100-binary');
    const train = cifarRecords(120, 'cifar100', 1);
    const test = cifarRecords(30, 'cifar100', 2);
    const fine = Array.from({ length: 100 }, (_, i) => `f${i}`).join('\n');
    const coarse = Array.from({ length: 20 }, (_, i) => `c${i}`).join('\n');
    await writeTree(src, {
      'train.bin': train.data,
      'test.bin': test.data,
      'fine_label_names.txt': fine,
      'coarse_label_names.txt': coarse,
    });
    const f = await store.import(src, {});
    expect(f.name).toBe('CIFAR-100');
    expect(f.classNames).toHaveLength(100);
    const fy = (await readStoredNpy(path.join(store.dir(f.id), 'test-y.npy'))).values;
    expect(Array.from(fy)).toEqual(test.labels);
    const c = await store.import(src, { labelSet: 'coarse' });
    expect(c.name).toBe('CIFAR-100 (coarse)');
    expect(c.classNames[19]).toBe('c19');
    const cy = (await readStoredNpy(path.join(store.dir(c.id), 'test-y.npy'))).values;
    expect(Array.from(cy)).toEqual(test.coarse);
    const cx = (await readStoredNpy(path.join(store.dir(c.id), 'test-x.npy'))).values as Uint8Array;
    expect(cx[((3 * 32 + 2) * 32 + 1) * 3 + 2]).toBe(cifarPixel(test.data, 3074, 3, 2, 1, 2));
  });

  it('imports the original cifar-10-binary.tar.gz without extracting it', async () => {
    const a = cifarRecords(30, 'cifar10', 1);
    const t = cifarRecords(10, 'cifar10', 2);
    const archive = tar([
      { name: 'cifar-10-batches-bin/', type: '5' },
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: a.data },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from(NAMES) },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: t.data },
      { name: 'cifar-10-batches-bin/readme.html', data: Buffer.from('<html/>') },
    ]);
    const file = path.join(dir, 'cifar-10-binary.tar.gz');
    await fs.writeFile(file, zlib.gzipSync(archive));
    const preview = await store.preview(file);
    expect(preview.format).toBe('cifar10');
    expect(preview.splits).toEqual({
      train: { count: 30, countsPerClass: expect.any(Array) as number[] },
      test: { count: 10, countsPerClass: expect.any(Array) as number[] },
    });
    const meta = await store.import(file, { name: 'from tar' });
    expect(meta.classNames[1]).toBe('automobile');
    const x = (await readStoredNpy(path.join(store.dir(meta.id), 'test-x.npy'))).values as Uint8Array;
    expect(x[((9 * 32 + 31) * 32 + 30) * 3 + 1]).toBe(cifarPixel(t.data, 3073, 9, 31, 30, 1));
    // A plain .tar works too.
    await fs.writeFile(path.join(dir, 'c.tar'), archive);
    expect((await store.preview(path.join(dir, 'c.tar'))).splits.train?.count).toBe(30);
  });

  describe('bad input', () => {
    it('refuses labels out of range', async () => {
      const src = path.join(dir, 'c');
      await cifar10Folder(src, 5);
      const f = path.join(src, 'test_batch.bin');
      const b = await fs.readFile(f);
      b[3073 * 2] = 10;
      await fs.writeFile(f, b);
      const e = await failureCode(store.preview(src));
      expect(e.code).toBe('dataset-invalid');
      expect(e.message).toMatch(/test_batch.bin: label 10 of record 2 is out of range/);
    });

    it('refuses a truncated record', async () => {
      const src = path.join(dir, 'c');
      await cifar10Folder(src, 5);
      const f = path.join(src, 'data_batch_4.bin');
      await fs.writeFile(f, (await fs.readFile(f)).subarray(0, 3073 * 4 + 100));
      expect((await failureCode(store.import(src, {}))).message).toMatch(
        /data_batch_4.bin: .*not a whole number of 3073-byte/,
      );
    });

    it('refuses archives with unsafe members', async () => {
      const ok = cifarRecords(2, 'cifar10', 1).data;
      const cases: [string, Parameters<typeof tar>[0]][] = [
        ['dotdot', [{ name: 'cifar-10-batches-bin/../../evil/data_batch_1.bin', data: ok }]],
        ['absolute', [{ name: '/etc/data_batch_1.bin', data: ok }]],
        ['symlink', [{ name: 'cifar-10-batches-bin/data_batch_1.bin', type: '2', linkname: '/etc/passwd' }]],
        [
          'hardlink',
          [
            {
              name: 'cifar-10-batches-bin/test_batch.bin',
              type: '1',
              linkname: 'cifar-10-batches-bin/data_batch_1.bin',
            },
          ],
        ],
      ];
      for (const [label, members] of cases) {
        const file = path.join(dir, `${label}.tar.gz`);
        await fs.writeFile(
          file,
          zlib.gzipSync(tar([{ name: 'cifar-10-batches-bin/test_batch.bin', data: ok }, ...members])),
        );
        const e = await failureCode(store.import(file, { name: label }));
        expect(e.code, label).toBe('archive-unsafe');
      }
      expect(await fs.readdir(path.join(dir, 'lab', 'datasets')).catch(() => [])).toEqual([]);
    });

    it('stops a decompression bomb while streaming', async () => {
      // A member of 34,000 zero records (~100 MiB) gzips to ~100 kB: far beyond the 200:1 ratio cap and the 64 MiB floor.
      const file = path.join(dir, 'cifar-10-binary.tar.gz');
      const size = 3073 * 34_000;
      const zeros = Buffer.alloc(1 << 20);
      function* body(): Generator<Uint8Array> {
        yield tarHeader({ name: 'cifar-10-batches-bin/data_batch_1.bin' }, size);
        for (let left = size; left > 0; left -= zeros.length)
          yield zeros.subarray(0, Math.min(left, zeros.length));
      }
      await pipeline(body(), zlib.createGzip({ level: 1 }), createWriteStream(file));
      expect((await fs.stat(file)).size).toBeLessThan(1 << 20);
      const e = await within(failureCode(store.import(file, {})), 20_000);
      expect(e.code).toBe('dataset-too-large');
      expect(e.message).toMatch(/decompresses to more than/);
    });

    it('refuses a tar with a damaged header checksum', async () => {
      const archive = tar([
        { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecords(2, 'cifar10', 1).data },
      ]);
      archive[10] = 0x41;
      const file = path.join(dir, 'x.tar');
      await fs.writeFile(file, archive);
      expect((await failureCode(store.preview(file))).message).toMatch(/checksum/);
    });

    it('needs both splits', async () => {
      const src = path.join(dir, 'c');
      await writeTree(src, { 'data_batch_1.bin': cifarRecords(3, 'cifar10', 1).data });
      expect((await failureCode(store.preview(src))).message).toMatch(/no test batch/);
    });
  });
});
