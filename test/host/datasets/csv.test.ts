import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { failureCode, readStoredNpy, useTempStore, writeTree } from './fixtures.js';

let dir: string;
let store: DatasetStore;
useTempStore((d, s) => {
  dir = d;
  store = s;
});

const iris = [
  'sepal_length,sepal_width,species,petal_length',
  ...Array.from(
    { length: 30 },
    (_, i) =>
      `${(5 + (i % 7) / 10).toFixed(1)},${3 + (i % 3)},${['virginica', 'setosa', '"versi,color"'][i % 3] ?? ''},${i / 10}`,
  ),
].join('\r\n');

describe('CSV importer', () => {
  it('imports numeric features with a named string label column mapped to sorted class names', async () => {
    await writeTree(dir, { 'iris.csv': `\uFEFF${iris}\r\n` });
    const p = await store.preview(path.join(dir, 'iris.csv'), {
      csvLabelColumn: 'species',
      testFraction: 0.2,
    });
    expect(p.format).toBe('csv');
    expect(p.kind).toBe('tabular');
    expect(p.shape).toEqual([3]);
    expect(p.classNames).toEqual(['setosa', 'versi,color', 'virginica']);
    expect(p.splits.train?.countsPerClass).toEqual([8, 8, 8]);
    expect(p.samples).toEqual([]);
    const meta = await store.import(path.join(dir, 'iris.csv'), { csvLabelColumn: 2 });
    expect(meta.name).toBe('iris');
    const x = (await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'))).values as Float32Array;
    expect(x.length).toBe(24 * 3);
    const all = [0, 1, 2].map((j) =>
      Array.from({ length: 30 }, (_, i) => [5 + (i % 7) / 10, 3 + (i % 3), i / 10][j] ?? 0),
    );
    const sorted = (a: number[]): number[] => [...a].sort((u, v) => u - v);
    // Every stored training row is a row of the file.
    expect(all[2]).toEqual(
      expect.arrayContaining(Array.from({ length: 24 }, (_, r) => Math.round((x[r * 3 + 2] ?? 0) * 10) / 10)),
    );
    expect(sorted(all[1] ?? []).length).toBe(30);
    expect(meta.mean).toHaveLength(3);
    expect(meta.std[1]).toBeGreaterThan(0.5);
  });

  it('finds the label column by name, sorts numeric labels numerically and reads train.csv + test.csv', async () => {
    const rows = (n: number, off: number): string =>
      Array.from({ length: n }, (_, i) => `${i + off};${(i * 2) % 5};${[10, 2, 1][i % 3] ?? 0}`).join('\n');
    await writeTree(dir, {
      'tab/train.csv': `a;b;target\n${rows(12, 0)}\n`,
      'tab/test.csv': `a;b;target\n${rows(6, 100)}\n`,
    });
    const p = await store.preview(path.join(dir, 'tab'));
    expect(p.classNames).toEqual(['1', '2', '10']);
    expect(p.splits.test?.count).toBe(6);
    const meta = await store.import(path.join(dir, 'tab'), {});
    const y = (await readStoredNpy(path.join(store.dir(meta.id), 'test-y.npy'))).values;
    expect(Array.from(y)).toEqual([2, 1, 0, 2, 1, 0]);
    const x = (await readStoredNpy(path.join(store.dir(meta.id), 'test-x.npy'))).values;
    expect(Array.from(x.subarray(0, 4))).toEqual([100, 0, 101, 2]);
  });

  it('reads headerless files with the label last', async () => {
    await writeTree(dir, {
      'h.csv': Array.from({ length: 10 }, (_, i) => `${i},${i * i},${i % 2}`).join('\n'),
    });
    const p = await store.preview(path.join(dir, 'h.csv'));
    expect(p.shape).toEqual([2]);
    expect(p.classNames).toEqual(['0', '1']);
  });

  it('imports a quoted label field spanning two lines (RFC 4180), with its line ending kept', async () => {
    const label = (i: number): string => (i % 2 ? '"two-line\r\nlabel, with comma"' : '"plain ""quoted"""');
    const rows = Array.from({ length: 12 }, (_, i) => `${i},${i * 2},${label(i)}`);
    await writeTree(dir, { 'm.csv': `x,y,label\r\n${rows.join('\r\n')}\r\n` });
    const meta = await store.import(path.join(dir, 'm.csv'), { name: 'multi-line' });
    expect(meta.classNames).toEqual(['plain "quoted"', 'two-line\r\nlabel, with comma']);
    expect((meta.splits.train?.count ?? 0) + (meta.splits.test?.count ?? 0)).toBe(12);
    const y = (await readStoredNpy(path.join(store.dir(meta.id), 'train-y.npy'))).values;
    const x = (await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'))).values;
    for (let r = 0; r < y.length; r++) expect(y[r]).toBe((x[r * 2] ?? 0) % 2);
  });

  describe('bad input', () => {
    it('names the file and line of a quote never closed', async () => {
      await writeTree(dir, { 'q.csv': 'x,y,label\n1,2,"open\n3,4,b\n' });
      expect((await failureCode(store.preview(path.join(dir, 'q.csv')))).message).toMatch(
        /^q\.csv: line \d+: a quoted field is never closed/,
      );
    });

    it('names a missing or non-numeric value, a short row and an unknown label column', async () => {
      await writeTree(dir, { 'a.csv': 'x,y,label\n1,2,a\n3,,b\n' });
      expect((await failureCode(store.preview(path.join(dir, 'a.csv')))).message).toMatch(
        /line 3, column "y": missing value/,
      );
      await writeTree(dir, { 'a.csv': 'x,y,label\n1,2,a\n3,abc,b\n' });
      expect((await failureCode(store.preview(path.join(dir, 'a.csv')))).message).toMatch(
        /"abc" is not a number/,
      );
      await writeTree(dir, { 'a.csv': 'x,y,label\n1,2,a\n3,b\n' });
      expect((await failureCode(store.preview(path.join(dir, 'a.csv')))).message).toMatch(
        /line 3 has 2 fields, expected 3/,
      );
      await writeTree(dir, { 'a.csv': 'x,y,label\n1,2,a\n3,4,b\n' });
      expect(
        (await failureCode(store.preview(path.join(dir, 'a.csv'), { csvLabelColumn: 'kind' }))).message,
      ).toMatch(/no column named "kind"/);
    });

    it('refuses a binary file posing as CSV without reading it whole into a line', async () => {
      await writeTree(dir, { 'b.csv': new Uint8Array(3 * 1024 * 1024).fill(65) });
      expect((await failureCode(store.preview(path.join(dir, 'b.csv')))).code).toBe('dataset-corrupt');
    });
  });
});
