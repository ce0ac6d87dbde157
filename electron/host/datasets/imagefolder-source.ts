import path from 'node:path';
import { chooseClassNames } from './class-names.js';
import { corrupt, failure } from './errors.js';
import { readHead } from './file-chunks.js';
import { sniffImage } from './image-decode.js';
import { ImageDecoder, type DecoderOptions } from './image-decoder.js';
import type { DecodeTarget } from './image-target.js';
import { imageSizeOf } from './import-options.js';
import { scanImageFolder, type ImageEntry } from './imagefolder-scan.js';
import type { JobContext } from './job-context.js';
import type { ImportSource, OpenContext, SampleImage, SourceSplit } from './source.js';
import { countClasses, planPool, SplitRouter } from './split-assign.js';
import type { ExampleSink } from './split-writer.js';

/** Largest side kept as is when no image size is given; larger images default to 32×32. */
const KEEP_SIDE = 64;
const DEFAULT_SIDE = 32;
const WRITE_BATCH = 256;

/** Decoder options for tests (worker script, worker count). */
let decoderOptions: DecoderOptions = {};

/** Overrides how image folders start their decoder (tests point it at a bundled worker). */
export function setImageDecoderOptions(options: DecoderOptions): void {
  decoderOptions = options;
}

/** Decodes entries in order with a sliding window of in-flight decodes, handing out whole batches. */
async function* decodedBatches(
  decoder: ImageDecoder,
  entries: ImageEntry[],
  per: number,
  job: JobContext,
): AsyncGenerator<[Uint8Array, Int32Array]> {
  const window: Promise<Uint8Array>[] = [];
  let next = 0;
  const start = (): void => {
    const e = entries[next++] as ImageEntry;
    const p = decoder.decode(e.file, e.rel);
    // Rejections are awaited in order below; this only keeps Node from reporting them as unhandled.
    p.catch(() => undefined);
    window.push(p);
  };
  try {
    for (let i = 0; i < entries.length; i += WRITE_BATCH) {
      const k = Math.min(WRITE_BATCH, entries.length - i);
      const x = new Uint8Array(k * per);
      const y = new Int32Array(k);
      for (let j = 0; j < k; j++) {
        while (next < entries.length && window.length < decoder.concurrency) start();
        const px = await (window.shift() as Promise<Uint8Array>);
        if (px.length !== per) throw corrupt(entries[i + j]?.rel ?? '', 'decoded to an unexpected size');
        x.set(px, j * per);
        y[j] = entries[i + j]?.label ?? 0;
        job.checkCancelled();
      }
      yield [x, y];
    }
  } finally {
    window.length = 0;
  }
}

/** Opens an ImageFolder of PNG/JPEG files; images are decoded, recoloured and resized on import. */
export async function openImageFolder(root: string, ctx: OpenContext): Promise<ImportSource> {
  const scan = await scanImageFolder(root, () => ctx.job.checkCancelled(), ctx.options);
  const o = ctx.options;
  const warnings: string[] = [];
  const firstEntries = scan.classNames
    .map((_, c) => scan.train.find((e) => e.label === c))
    .filter((e): e is ImageEntry => e !== undefined);
  const infos = [];
  for (const e of firstEntries.slice(0, 8)) {
    const info = sniffImage(await readHead(e.file, 256 * 1024));
    if (!info) throw failure('unsupported-format', `${e.rel}: not a PNG or JPEG image`);
    infos.push(info);
  }
  const first = infos[0];
  if (!first) throw failure('unsupported-format', `${root}: no images`);
  let size = imageSizeOf(o);
  if (!size) {
    if (first.width > 0 && first.height > 0 && first.width <= KEEP_SIDE && first.height <= KEEP_SIDE)
      size = [first.height, first.width];
    else {
      size = [DEFAULT_SIDE, DEFAULT_SIDE];
      warnings.push(
        `images are ${first.width}×${first.height}; stored at ${DEFAULT_SIDE}×${DEFAULT_SIDE} (set imageSize / --image-size to choose)`,
      );
    }
  }
  if (infos.some((i) => i.width !== size[1] || i.height !== size[0]))
    warnings.push(`images of other sizes are resized to ${size[1]}×${size[0]}`);
  const channels: 1 | 3 = o.color ? (o.color === 'grey' ? 1 : 3) : infos.every((i) => i.grey) ? 1 : 3;
  const target: DecodeTarget = { height: size[0], width: size[1], channels, method: o.resize ?? 'auto' };
  if (scan.ignored > 0) warnings.push(`${scan.ignored} non-image files ignored`);
  if (scan.links.length > 0)
    warnings.push(
      `${scan.links.length} symbolic link${scan.links.length === 1 ? '' : 's'} not followed (${scan.links.slice(0, 5).join(', ')}${scan.links.length > 5 ? ', …' : ''}); import with followLinks (--follow-links) to include what they point to`,
    );
  const classNames = chooseClassNames(scan.classNames.length, scan.classNames, o.classNames);
  const labels = Int32Array.from(scan.train, (e) => e.label);
  const pool = scan.test ? undefined : planPool(labels, classNames.length, o);
  if (pool)
    warnings.push(
      `no train/ + test/ (or val/) roots; ${pool.splits[1]?.count ?? 0} images held out as the test split (seed ${o.splitSeed ?? 0})`,
    );
  const splits: SourceSplit[] = pool?.splits ?? [
    { name: 'train', count: scan.train.length, countsPerClass: countClasses(labels, classNames.length) },
    {
      name: 'test',
      count: scan.test?.length ?? 0,
      countsPerClass: countClasses(
        Int32Array.from(scan.test ?? [], (e) => e.label),
        classNames.length,
      ),
    },
  ];
  const per = target.height * target.width * target.channels;
  const all = [...scan.train, ...(scan.test ?? [])];

  return {
    format: 'imagefolder',
    name: path.basename(root),
    kind: 'images',
    shape: [target.height, target.width, target.channels],
    dtype: 'uint8',
    classNames,
    splits,
    warnings,
    files: all.map((e) => e.rel),
    root,
    async samples(count, job): Promise<SampleImage[]> {
      const picks = firstEntries.slice(0, count);
      const decoder = await ImageDecoder.create(target, decoderOptions);
      try {
        const out: SampleImage[] = [];
        for await (const [x, y] of decodedBatches(decoder, picks, per, job)) {
          for (let i = 0; i < y.length; i++) {
            out.push({
              height: target.height,
              width: target.width,
              channels,
              label: y[i] ?? 0,
              pixels: Array.from(x.subarray(i * per, (i + 1) * per)),
            });
          }
        }
        return out;
      } finally {
        await decoder.close();
      }
    },
    async emit(writer, job): Promise<void> {
      job.phase('decoding');
      const decoder = await ImageDecoder.create(target, decoderOptions);
      try {
        const router = pool ? await SplitRouter.open(writer, pool, per) : undefined;
        const parts: ['train' | 'test', ImageEntry[]][] = [['train', scan.train]];
        if (scan.test) parts.push(['test', scan.test]);
        for (const [split, entries] of parts) {
          const sink: ExampleSink = router ?? (await writer.split(split, entries.length));
          for await (const [x, y] of decodedBatches(decoder, entries, per, job)) await sink.write(x, y);
        }
      } finally {
        await decoder.close();
      }
    },
  };
}
