import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { ImageDecoder } from '../../../electron/host/datasets/image-decoder.js';
import { setImageDecoderOptions } from '../../../electron/host/datasets/imagefolder-source.js';
import { jpg, png, readStoredNpy, tmpDir, writeTree } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let workerFile: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tmpDir());
  // The app runs the compiled worker from dist/; the test bundles the TypeScript entry the same way.
  workerFile = path.join(dir, 'image-decode-worker.cjs');
  await build({
    entryPoints: [path.resolve('electron/host/datasets/image-decode-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: workerFile,
    logLevel: 'silent',
  });
});
afterAll(async () => {
  setImageDecoderOptions({});
  await cleanup();
});

describe('image decoder pool', () => {
  it('decodes in worker threads exactly as inline', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 24; i++) {
      files[`c${i % 3}/${i}.png`] = png(10, 7, (x, y) => [x * 20, y * 30, i * 9]);
      files[`c${i % 3}/${i}.jpg`] = jpg(9, 11, (x, y) => [x * 25, 255 - y * 20, i * 5]);
    }
    const src = path.join(dir, 'set');
    await writeTree(src, files);
    const target = { height: 6, width: 6, channels: 3 as const, method: 'auto' as const };
    const workers = await ImageDecoder.create(target, { workerFile, workers: 2 });
    const inline = await ImageDecoder.create(target, { workers: 0 });
    try {
      expect(workers.mode).toBe('workers');
      expect(inline.mode).toBe('inline');
      for (const rel of Object.keys(files).slice(0, 10)) {
        const [a, b] = await Promise.all([
          workers.decode(path.join(src, rel), rel),
          inline.decode(path.join(src, rel), rel),
        ]);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }
      const failure = await workers
        .decode(path.join(src, 'missing.png'), 'missing.png')
        .catch((e: unknown) => e);
      expect((failure as { code: string }).code).toBe('not-found');
    } finally {
      await workers.close();
      await inline.close();
    }
    const store = new DatasetStore(path.join(dir, 'lab'));
    setImageDecoderOptions({ workerFile, workers: 2 });
    const viaWorkers = await store.import(src, { name: 'w', imageSize: 5 });
    setImageDecoderOptions({ workers: 0 });
    const viaInline = await store.import(src, { name: 'i', imageSize: 5 });
    const a = (await readStoredNpy(path.join(store.dir(viaWorkers.id), 'train-x.npy'))).values as Uint8Array;
    const b = (await readStoredNpy(path.join(store.dir(viaInline.id), 'train-x.npy'))).values as Uint8Array;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('falls back to inline decoding when the worker script is missing or broken', async () => {
    const target = { height: 2, width: 2, channels: 1 as const, method: 'area' as const };
    const missing = await ImageDecoder.create(target, { workerFile: path.join(dir, 'nope.cjs'), workers: 1 });
    expect(missing.mode).toBe('inline');
    await missing.close();
    const broken = path.join(dir, 'broken.cjs');
    await writeTree(dir, { 'broken.cjs': 'throw new Error("cannot load");' });
    const d = await ImageDecoder.create(target, { workerFile: broken, workers: 1 });
    expect(d.mode).toBe('inline');
    await d.close();
  });
});
