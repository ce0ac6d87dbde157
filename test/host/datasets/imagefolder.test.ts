import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { resizeImage, rgbToGrey } from '../../../electron/host/datasets/image-resize.js';
import { failureCode, jpg, png, readStoredNpy, useTempStore, writeTree } from './fixtures.js';

let dir: string;
let store: DatasetStore;
useTempStore((d, s) => {
  dir = d;
  store = s;
});

const solid = (r: number, g: number, b: number) => (): [number, number, number] => [r, g, b];

describe('resampling', () => {
  it('area-averages exactly when shrinking', () => {
    const src = Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160]);
    expect(Array.from(resizeImage(src, 4, 4, 1, 2, 2, 'area'))).toEqual([35, 55, 115, 135]);
    expect(Array.from(resizeImage(src, 4, 4, 1, 1, 1, 'area'))).toEqual([85]);
    // 3 → 2 covers 1.5 source pixels each.
    expect(Array.from(resizeImage(Uint8Array.from([0, 90, 180]), 3, 1, 1, 2, 1, 'area'))).toEqual([30, 150]);
  });

  it('bilinear keeps identity and interpolates at pixel centres', () => {
    const src = Uint8Array.from([0, 100]);
    expect(Array.from(resizeImage(src, 2, 1, 1, 2, 1, 'bilinear'))).toEqual([0, 100]);
    expect(Array.from(resizeImage(src, 2, 1, 1, 4, 1, 'bilinear'))).toEqual([0, 25, 75, 100]);
  });

  it('converts RGB to BT.601 luma', () => {
    expect(Array.from(rgbToGrey(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 200, 200])))).toEqual([
      76, 150, 29, 200,
    ]);
  });
});

describe('image-folder importer', () => {
  it('imports train/ and val/ roots of PNG and JPEG, classes sorted by folder name', async () => {
    const src = path.join(dir, 'pets');
    await writeTree(src, {
      'train/dog/a.png': png(8, 8, solid(200, 10, 10)),
      'train/dog/b.jpg': jpg(8, 8, solid(200, 10, 10)),
      'train/cat/a.png': png(8, 8, solid(10, 200, 10)),
      'train/cat/notes.txt': 'ignored',
      'train/cat/nested/c.JPEG': jpg(8, 8, solid(10, 200, 10)),
      'val/cat/v.png': png(8, 8, solid(10, 200, 10)),
      'val/dog/v.png': png(8, 8, solid(200, 10, 10)),
    });
    const preview = await store.preview(src);
    expect(preview.format).toBe('imagefolder');
    expect(preview.classNames).toEqual(['cat', 'dog']);
    expect(preview.shape).toEqual([8, 8, 3]);
    expect(preview.splits).toEqual({
      train: { count: 4, countsPerClass: [2, 2] },
      test: { count: 2, countsPerClass: [1, 1] },
    });
    expect(preview.notes?.join()).toMatch(/1 non-image files ignored/);
    expect(preview.warnings.join()).not.toMatch(/ignored/);
    expect(preview.samples.map((s) => s.label)).toEqual([0, 1]);
    const meta = await store.import(src, {});
    const x = (await readStoredNpy(path.join(store.dir(meta.id), 'train-x.npy'))).values as Uint8Array;
    const y = (await readStoredNpy(path.join(store.dir(meta.id), 'train-y.npy'))).values;
    expect(Array.from(y)).toEqual([0, 0, 1, 1]);
    // cat/a.png, then cat/nested/c.JPEG (JPEG is lossy: close to the colour), then the dogs.
    expect(Array.from(x.subarray(0, 3))).toEqual([10, 200, 10]);
    const jpegPixel = Array.from(x.subarray(8 * 8 * 3 * 3, 8 * 8 * 3 * 3 + 3));
    [200, 10, 10].forEach((v, i) => expect(Math.abs((jpegPixel[i] ?? 0) - v)).toBeLessThan(8));
  });

  it('holds out a seeded stratified split when there is one root, resizes mixed sizes and keeps grey', async () => {
    const src = path.join(dir, 'shapes');
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 10; i++) {
      files[`circle/${i}.png`] = png(i % 2 ? 16 : 12, 16, (x) => [x * 10, x * 10, x * 10], true);
      files[`square/${i}.png`] = png(16, 16, solid(i * 5, i * 5, i * 5), true);
    }
    await writeTree(src, files);
    const preview = await store.preview(src, { imageSize: 8, testFraction: 0.3, splitSeed: 1 });
    expect(preview.shape).toEqual([8, 8, 1]);
    expect(preview.splits.test).toEqual({ count: 6, countsPerClass: [3, 3] });
    const a = await store.import(src, { name: 'a', imageSize: 8, testFraction: 0.3, splitSeed: 1 });
    const b = await store.import(src, { name: 'b', imageSize: 8, testFraction: 0.3, splitSeed: 1 });
    const xa = (await readStoredNpy(path.join(store.dir(a.id), 'test-x.npy'))).values;
    const xb = (await readStoredNpy(path.join(store.dir(b.id), 'test-x.npy'))).values;
    expect(Buffer.from(xa as Uint8Array).equals(Buffer.from(xb as Uint8Array))).toBe(true);
    const rgb = await store.import(src, { name: 'rgb', imageSize: [4, 6], color: 'rgb', resize: 'bilinear' });
    expect(rgb.shape).toEqual([4, 6, 3]);
  });

  it('defaults large images to 32×32 with a warning', async () => {
    const src = path.join(dir, 'big');
    await writeTree(src, { 'a/1.jpg': jpg(100, 80, solid(1, 2, 3)), 'b/1.jpg': jpg(90, 90, solid(3, 2, 1)) });
    const p = await store.preview(src);
    expect(p.shape).toEqual([32, 32, 3]);
    expect(p.notes?.join()).toMatch(/stored at 32×32/);
  });

  describe('bad input', () => {
    it('names an unreadable image', async () => {
      const src = path.join(dir, 'broken');
      const good = png(4, 4, solid(1, 1, 1));
      await writeTree(src, { 'a/1.png': good, 'a/2.png': good.subarray(0, 40), 'b/1.png': good });
      const e = await failureCode(store.import(src, {}));
      expect(e.code).toBe('dataset-corrupt');
      expect(e.message).toMatch(/a\/2\.png/);
      expect(await fs.readdir(path.join(dir, 'lab', 'datasets')).catch(() => [])).toEqual([]);
      expect(await fs.readdir(path.join(dir, 'lab', 'tmp'))).toEqual([]);
    });

    it('names a JPEG that is not one', async () => {
      const src = path.join(dir, 'broken');
      await writeTree(src, {
        'a/1.png': png(4, 4, solid(1, 1, 1)),
        'b/x.jpg': Buffer.from('not a jpeg at all'),
      });
      const e = await failureCode(store.import(src, {}));
      expect(e.message).toMatch(/b\/x\.jpg/);
    });

    it('refuses an empty class folder', async () => {
      const src = path.join(dir, 'e');
      await writeTree(src, { 'a/1.png': png(4, 4, solid(1, 1, 1)), 'b/readme.txt': 'no images' });
      const e = await failureCode(store.preview(src, { format: 'imagefolder' }));
      expect(e.code).toBe('dataset-invalid');
      expect(e.message).toMatch(/^b: class folder has no PNG or JPEG images/);
    });

    it('refuses an image whose header claims a huge resolution', async () => {
      const src = path.join(dir, 'huge');
      const b = Buffer.from(png(4, 4, solid(1, 1, 1)));
      b.writeUInt32BE(100_000, 16);
      b.writeUInt32BE(100_000, 20);
      await writeTree(src, { 'a/1.png': png(4, 4, solid(1, 1, 1)), 'b/1.png': b });
      const e = await failureCode(store.import(src, { imageSize: 4 }));
      expect(e.code).toBe('dataset-too-large');
      expect(e.message).toMatch(/b\/1\.png/);
    });
  });
});
