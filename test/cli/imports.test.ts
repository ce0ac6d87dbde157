import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cifarRecords, idx, npy, png, tar, writeTree } from '../host/datasets/fixtures.js';
import { lggLab } from '../helpers/cli.js';
import { useRunStore } from '../helpers/runs.js';

/**
 * Imports that must refuse (defect 5 of issue 12), through the real `lgg-lab import`: each case
 * is refused with a message naming the file, and nothing is left in datasets/ or tmp/.
 */
const lab = useRunStore();
const importCli = (...args: string[]): ReturnType<typeof lggLab> =>
  lggLab(['import', ...args, '--data-dir', path.join(lab.dir, 'lab')]);

async function storeIsEmpty(): Promise<void> {
  for (const d of ['datasets', 'tmp'])
    expect(await fs.readdir(path.join(lab.dir, 'lab', d)).catch(() => [])).toEqual([]);
}

/** A PNG of chunks written by hand: IHDR declaring `width`×`height` RGB, one IDAT of `idat` (deflated). */
function craftedPng(width: number, height: number, idat: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body) >>> 0, 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(idat)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const small = (seed: number): Uint8Array => png(6, 6, (x, y) => [x * 40 + seed, y * 40, 90]);
/** Two classes of two valid images. */
const twoClasses = (): Record<string, Uint8Array> => ({
  'a/1.png': small(1),
  'a/2.png': small(2),
  'b/1.png': small(3),
  'b/2.png': small(4),
});

describe('imports that must refuse (defect 5)', () => {
  it('refuses a PNG whose image data is shorter than its declared size, and one beyond the pixel limit', async () => {
    const src = path.join(lab.dir, 'img');
    await writeTree(src, {
      ...twoClasses(),
      'b/short.png': craftedPng(1000, 1000, new Uint8Array(1000).fill(7)),
    });
    const r = await importCli(src);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'b/short.png: PNG declares 1000×1000 but its image data holds 1000 of the 3001000 bytes that needs',
    );
    await fs.rm(path.join(src, 'b', 'short.png'));
    await writeTree(src, { 'b/huge.png': craftedPng(5000, 4000, new Uint8Array(10)) });
    const huge = await importCli(src);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain(
      'b/huge.png: 5000×4000 image (20.0 megapixels) is beyond the limit of 16.8 megapixels (4096×4096) per image',
    );
    await storeIsEmpty();
  });

  it('refuses labels outside the declared classes (NumPy classes.txt, MNIST-family IDX)', async () => {
    const y = Uint8Array.of(0, 1, 2, 255, 4, 5, 6, 7, 8, 9);
    await writeTree(lab.dir, {
      'n/x_train.npy': npy('|u1', [10, 4, 4], new Uint8Array(160)),
      'n/y_train.npy': npy('|u1', [10], y),
      'n/classes.txt': 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n',
      'mnist/train-images-idx3-ubyte': idx([10, 4, 4], new Uint8Array(160)),
      'mnist/train-labels-idx1-ubyte': idx([10], y),
    });
    const n = await importCli(path.join(lab.dir, 'n'));
    expect(n.code).toBe(1);
    expect(n.stderr).toContain(
      'y_train.npy: label 255 at index 3 is outside the 10 classes named in classes.txt (0…9)',
    );
    const m = await importCli(path.join(lab.dir, 'mnist'));
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      'train-labels-idx1-ubyte: label 255 at index 3 is outside the 10 classes named in the MNIST release (0…9)',
    );
    await storeIsEmpty();
  });

  it('does not follow symbolic links inside an image folder unless asked', async () => {
    const src = path.join(lab.dir, 'links');
    await writeTree(src, twoClasses());
    await fs.symlink(path.join(src, 'a'), path.join(src, 'c'));
    await fs.symlink(path.join(src, 'b'), path.join(src, 'a', 'more'));
    const r = await importCli(src, '--dry-run', '--test-fraction', '0.5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Classes: +2: a, b/);
    expect(r.stdout).toContain(
      '2 symbolic links not followed (c, a/more); import with followLinks (--follow-links) to include what they point to',
    );
    const followed = await importCli(src, '--dry-run', '--follow-links', '--test-fraction', '0.5');
    expect(followed.stdout).toMatch(/Classes: +3: a, b, c/);
  });

  it('refuses a .tar.gz cut short of its gzip trailer', async () => {
    const archive = tar([
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarRecords(6, 'cifar10', 1).data },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecords(3, 'cifar10', 2).data },
    ]);
    const gz = zlib.gzipSync(archive);
    await writeTree(lab.dir, { 'whole.tar.gz': gz, 'cut.tar.gz': gz.subarray(0, gz.length - 8) });
    const whole = await importCli(path.join(lab.dir, 'whole.tar.gz'), '--dry-run');
    expect(whole.code, whole.stderr).toBe(0);
    const cut = await importCli(path.join(lab.dir, 'cut.tar.gz'));
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(
      /^error \(dataset-corrupt\): cut\.tar\.gz: cannot decompress: unexpected end of file/,
    );
    await storeIsEmpty();
  });

  it('names a file whose name is not UTF-8 instead of calling it missing', async () => {
    const src = path.join(lab.dir, 'latin1');
    await writeTree(src, { 'a/1.png': small(1), 'a/2.png': small(2), 'b/1.png': small(3) });
    await fs.writeFile(
      Buffer.concat([Buffer.from(`${src}/b/caf`), Buffer.from([0xe9]), Buffer.from('.png')]),
      small(4),
    );
    const r = await importCli(src);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(src, 'b')}: the name "caf\\xe9.png" is not valid UTF-8`);
    expect(r.stderr).not.toContain('no such file');
    await storeIsEmpty();
  });
});
