import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import {
  bytes,
  cifarRecords,
  failureCode,
  le,
  npy,
  readStoredNpy,
  useTempStore,
  writeTree,
} from './fixtures.js';

let dir: string;
let store: DatasetStore;
useTempStore((d, s) => {
  dir = d;
  store = s;
});

const N = 20;

async function cleanCifar(): Promise<void> {
  const files: Record<string, Uint8Array | string> = {
    'batches.meta.txt': 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n',
    'test_batch.bin': cifarRecords(N, 'cifar10', 9).data,
  };
  files['data_batch_1.bin'] = cifarRecords(30, 'cifar10', 1).data;
  await writeTree(path.join(dir, 'cifar-10-batches-bin'), files);
  await store.import(path.join(dir, 'cifar-10-batches-bin'), {});
}

describe('corruption suites', () => {
  it('imports a CIFAR-10-C folder (5 severities × N, tiled labels) linked to CIFAR-10', async () => {
    await cleanCifar();
    const labels = Uint8Array.from({ length: 5 * N }, (_, i) => (i % N) % 10);
    const fog = bytes(5 * N * 32 * 32 * 3, 3);
    await writeTree(path.join(dir, 'CIFAR-10-C'), {
      'labels.npy': npy('|u1', [5 * N], labels),
      'fog.npy': npy('|u1', [5 * N, 32, 32, 3], fog),
      'gaussian_noise.npy': npy('|u1', [5 * N, 32, 32, 3], bytes(5 * N * 3072, 4)),
    });
    const p = await store.preview(path.join(dir, 'CIFAR-10-C'));
    expect(p.format).toBe('corruptions');
    expect(p.kind).toBe('corruptions');
    expect(p.corruptions).toEqual(['fog', 'gaussian_noise']);
    expect(p.splits.test?.count).toBe(N);
    expect(p.classNames[0]).toBe('a');
    const meta = await store.import(path.join(dir, 'CIFAR-10-C'), {});
    expect(meta.linkedTo).toBe('cifar-10');
    expect(meta.corruptions).toEqual([
      { name: 'fog', severities: 5, file: 'fog.npy' },
      { name: 'gaussian_noise', severities: 5, file: 'gaussian_noise.npy' },
    ]);
    expect(meta.splits.test).toMatchObject({ count: N, labels: 'test-y.npy' });
    const clean = await store.get('cifar-10');
    expect(meta.mean).toEqual(clean.mean);
    const stored = await readStoredNpy(path.join(store.dir(meta.id), 'fog.npy'));
    expect(stored.shape).toEqual([5 * N, 32, 32, 3]);
    expect(Buffer.from(stored.values as Uint8Array).equals(Buffer.from(fog))).toBe(true);
    expect(Array.from((await readStoredNpy(path.join(store.dir(meta.id), 'test-y.npy'))).values)).toEqual(
      Array.from(labels.subarray(0, N)),
    );
    const s = await store.samples(meta.id, 'test', 4);
    expect(s.items).toHaveLength(4);
    expect(s.items[1]?.label).toBe(labels[25]);
  });

  it('imports an MNIST-C folder (one sub-folder per corruption) and computes its own statistics when unlinked', async () => {
    const lab = Uint8Array.from({ length: N }, (_, i) => i % 10);
    const files: Record<string, Uint8Array> = {};
    for (const c of ['shot_noise', 'zigzag']) {
      files[`${c}/test_images.npy`] = npy('|u1', [N, 28, 28, 1], bytes(N * 784, c.length));
      files[`${c}/test_labels.npy`] = npy('<i8', [N], le(BigInt64Array.from(Array.from(lab, BigInt))));
      files[`${c}/train_images.npy`] = npy('|u1', [1, 28, 28, 1], new Uint8Array(784));
    }
    await writeTree(path.join(dir, 'mnist_c'), files);
    const meta = await store.import(path.join(dir, 'mnist_c'), {});
    expect(meta.linkedTo).toBeUndefined();
    expect(meta.corruptions?.map((c) => [c.name, c.severities])).toEqual([
      ['shot_noise', 1],
      ['zigzag', 1],
    ]);
    expect(meta.mean[0]).toBeGreaterThan(0.4);
    // With MNIST in the store, the same suite links to it.
    await store.ensureBuiltin('mnist');
    const linked = await store.import(path.join(dir, 'mnist_c'), { name: 'MNIST-C' });
    expect(linked.linkedTo).toBe('mnist');
  });

  describe('bad input', () => {
    it('refuses rows that match neither N nor 5N labels, and an incompatible explicit link', async () => {
      await cleanCifar();
      await writeTree(path.join(dir, 's'), {
        'labels.npy': npy('|u1', [N], new Uint8Array(N)),
        'fog.npy': npy('|u1', [N + 1, 32, 32, 3], new Uint8Array((N + 1) * 3072)),
      });
      expect((await failureCode(store.preview(path.join(dir, 's')))).message).toMatch(
        /21 images for 20 labels/,
      );
      await writeTree(path.join(dir, 's'), {
        'fog.npy': npy('|u1', [N, 16, 16, 3], new Uint8Array(N * 768)),
      });
      expect((await failureCode(store.preview(path.join(dir, 's'), { linkTo: 'cifar-10' }))).message).toMatch(
        /linkTo: "cifar-10" has shape/,
      );
      expect((await failureCode(store.preview(path.join(dir, 's'), { linkTo: 'nope' }))).message).toMatch(
        /no dataset with id "nope"/,
      );
    });

    it('refuses MNIST-C folders whose labels differ', async () => {
      const files: Record<string, Uint8Array> = {};
      for (const [c, seed] of [
        ['a', 1],
        ['b', 2],
      ] as const) {
        files[`${c}/test_images.npy`] = npy('|u1', [4, 28, 28], new Uint8Array(4 * 784));
        files[`${c}/test_labels.npy`] = npy('|u1', [4], Uint8Array.of(seed, 1, 2, 3));
      }
      await writeTree(path.join(dir, 'mc'), files);
      expect((await failureCode(store.preview(path.join(dir, 'mc')))).message).toMatch(/labels differ/);
    });
  });
});
