import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../shared/dataset-types.js';
import { mnistDataFolder } from '../../../electron/host/datasets/builtin.js';
import { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { failureCode, tmpDir, writeIdxFolder, writeTree } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: DatasetStore;
let lab: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tmpDir());
  lab = path.join(dir, 'lab');
  store = new DatasetStore(lab);
});
afterEach(() => cleanup());

const datasetsIn = (): Promise<string[]> => fs.readdir(path.join(lab, 'datasets')).catch(() => []);
const tmpIn = (): Promise<string[]> => fs.readdir(path.join(lab, 'tmp')).catch(() => []);

describe('DatasetStore', () => {
  it('lists valid datasets and reports broken folders without throwing', async () => {
    await store.ensureBuiltin('moons');
    await store.ensureBuiltin('spirals-4');
    await writeTree(path.join(lab, 'datasets'), {
      'broken/meta.json': '{ not json',
      'half/meta.json': JSON.stringify({ ...(await store.get('moons')), id: 'half' }),
      '.hidden/meta.json': '{}',
    });
    await fs.rm(path.join(lab, 'datasets', 'half', 'train-x.npy'), { force: true });
    const seen: string[] = [];
    const s2 = new DatasetStore(lab, { onProblem: (p) => seen.push(p.id) });
    const metas = await s2.list();
    expect(metas.map((m) => m.id)).toEqual(['moons', 'spirals-4']);
    expect(metas[1]?.classNames).toHaveLength(4);
    expect(s2.lastProblems.map((p) => p.id)).toEqual(['broken', 'half']);
    expect(s2.lastProblems[1]?.message).toMatch(/train-x.npy is missing/);
    expect(seen).toEqual(['broken', 'half']);
    expect((await failureCode(s2.get('broken'))).code).toBe('dataset-corrupt');
  });

  it('get, dir and remove', async () => {
    expect((await failureCode(store.get('nope'))).code).toBe('not-found');
    expect((await failureCode(store.get('../etc'))).code).toBe('not-found');
    expect(() => store.dir('../x')).toThrow(/no dataset/);
    expect(store.dir('blobs')).toBe(path.join(path.resolve(lab), 'datasets', 'blobs'));
    expect(await store.ensureBuiltin('not-a-builtin')).toBeUndefined();
    await store.ensureBuiltin('blobs');
    expect(await store.remove('blobs')).toBe(true);
    expect(await store.remove('blobs')).toBe(false);
    expect(await datasetsIn()).toEqual([]);
    expect(await tmpIn()).toEqual([]);
  });

  it('serves sample images spread over a split, and tabular rows as 1×F', async () => {
    await store.ensureBuiltin('mnist');
    const s = await store.samples('mnist', 'train', 5);
    expect([s.height, s.width, s.channels]).toEqual([28, 28, 1]);
    // Examples 0, 12000, 24000, 36000, 48000 of the training labels file.
    expect(s.items.map((i) => i.label)).toEqual([5, 7, 8, 9, 4]);
    expect(s.items[0]?.pixels).toHaveLength(784);
    const t = await store.samples((await store.ensureBuiltin('spirals'))?.id ?? '', 'test', 3);
    expect([t.height, t.width, t.channels]).toEqual([1, 2, 1]);
    expect(t.items[0]?.pixels).toHaveLength(2);
    expect((await store.samples('mnist', 'test', 1000)).items).toHaveLength(256);
  });

  it('dedupes concurrent first uses of a built-in', async () => {
    const [a, b] = await Promise.all([store.ensureBuiltin('mnist'), store.ensureBuiltin('mnist')]);
    expect(a?.source.importedAt).toBe(b?.source.importedAt);
    expect(await datasetsIn()).toEqual(['mnist']);
  });

  it('recognises a re-imported source, refuses a name collision, and derives unique ids', async () => {
    const src = path.join(dir, 'digits');
    await writeIdxFolder(src, { n: 30, m: 10 });
    const first = await store.import(src, { name: 'My Digits' });
    expect(first.id).toBe('my-digits');
    expect((await store.preview(src)).duplicateOf).toBe('my-digits');
    const taken = await failureCode(store.import(src, { name: 'my digits' }));
    expect(taken.code).toBe('name-taken');
    expect(taken.message).toMatch(/already exists \(id my-digits\)/);
    expect((await store.preview(src, { name: 'My Digits' })).warnings.join()).toMatch(/choose another name/);
    const again = await store.import(src, { name: 'My  Digits!' });
    expect(again.id).toBe('my-digits-2');
    expect(again.checksum).toBe(first.checksum);
    // Built-in ids are reserved: an import named MNIST does not take "mnist".
    expect((await store.import(src, { name: 'MNIST' })).id).toBe('mnist-2');
  });

  it('refuses a second concurrent import under the same name', async () => {
    // Whichever reaches the name check second loses; exactly one succeeds.
    const results = await Promise.allSettled([
      store.import(mnistDataFolder(), { name: 'Same' }),
      store.import(mnistDataFolder(), { name: 'same' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((rejected?.reason as { code?: string } | undefined)?.code).toBe('name-taken');
    expect((await store.list()).map((m) => m.name.toLowerCase())).toEqual(['same']);
  });

  it('sweeps staging folders a crashed import left behind, once they are old', async () => {
    await writeTree(path.join(lab, 'tmp'), {
      'import-old/train-x.npy': 'x',
      'import-new/train-x.npy': 'x',
      'export-old/a': 'x',
    });
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await fs.utimes(path.join(lab, 'tmp', 'import-old'), old, old);
    await fs.utimes(path.join(lab, 'tmp', 'export-old'), old, old);
    await store.list();
    expect((await tmpIn()).sort()).toEqual(['export-old', 'import-new']);
  });

  it('leaves nothing behind when an import fails midway', async () => {
    const src = path.join(dir, 'm');
    await writeIdxFolder(src, { n: 2000, m: 10 });
    const f = path.join(src, 't10k-images-idx3-ubyte');
    // The test images are cut after the train split has been written: the failure comes late.
    const b = await fs.readFile(f);
    await fs.writeFile(f, b.subarray(0, b.length - 1));
    expect((await failureCode(store.import(src, {}))).code).toBe('dataset-corrupt');
    expect(await datasetsIn()).toEqual([]);
    expect(await tmpIn()).toEqual([]);
  });

  it('cancels through the AbortSignal, reporting throttled progress and leaving nothing', async () => {
    const ctl = new AbortController();
    const events: (ImportProgress & { at: number })[] = [];
    const f = await failureCode(
      store.import(mnistDataFolder(), {
        name: 'cancel me',
        signal: ctl.signal,
        onProgress: (p) => {
          events.push({ ...p, at: Date.now() });
          if (p.done > 20000) ctl.abort();
        },
      }),
    );
    expect(f.code).toBe('cancelled');
    expect(events.at(-1)?.phase).toBe('cancelled');
    expect(await datasetsIn()).toEqual([]);
    expect(await tmpIn()).toEqual([]);
    const aborted = new AbortController();
    aborted.abort();
    expect(
      (await failureCode(store.import(mnistDataFolder(), { name: 'x', signal: aborted.signal }))).code,
    ).toBe('cancelled');
  });

  it('reports progress at most about ten times a second, ending with done', async () => {
    const events: (ImportProgress & { at: number })[] = [];
    const t0 = Date.now();
    const meta = await store.import(mnistDataFolder(), {
      name: 'progress',
      onProgress: (p) => events.push({ ...p, at: Date.now() }),
    });
    const seconds = (Date.now() - t0) / 1000;
    const last = events.at(-1);
    expect(last).toMatchObject({ phase: 'done', fraction: 1, datasetId: meta.id, total: 70000, done: 70000 });
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    const gaps = events.slice(1, -1).map((e, i) => e.at - (events[i]?.at ?? 0));
    expect(gaps.every((g) => g >= 95)).toBe(true);
    expect(new Set(events.map((e) => e.jobId)).size).toBe(1);
  });

  it('refuses paths it cannot import with a clear message', async () => {
    await writeTree(dir, { 'notes/readme.txt': 'hello', 'one.png': new Uint8Array(8) });
    expect((await failureCode(store.preview(path.join(dir, 'notes')))).code).toBe('unsupported-format');
    expect((await failureCode(store.preview(path.join(dir, 'one.png')))).message).toMatch(/single image/);
    expect((await failureCode(store.preview(path.join(dir, 'missing')))).code).toBe('not-found');
    expect((await failureCode(store.preview(path.join(dir, 'notes'), { testFraction: 2 }))).message).toMatch(
      /testFraction/,
    );
  });
});
