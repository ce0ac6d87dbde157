import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ByteReader } from './byte-reader.js';
import { chooseClassNames, KNOWN_CLASS_NAMES } from './class-names.js';
import { corrupt, failure, invalid, tooLarge } from './errors.js';
import { checkLabelRange, declaredClasses } from './label-array.js';
import { isGzip, maybeGunzipChunks } from './file-chunks.js';
import { checkIdxMagic, idxHeaderLength, parseIdxHeader, type IdxHeader } from './idx-format.js';
import { decompressionCap } from './limits.js';
import { countClasses, planPool, SplitRouter } from './split-assign.js';
import type { ExampleSink } from './split-writer.js';
import type { ImportSource, OpenContext, SampleImage, SourceSplit } from './source.js';
import { readWhole } from './whole-read.js';
import { listFolder, type ListOptions } from './fs-list.js';

/** `[prefix-]{train|t10k|test}-{images|labels}-idx{1,3}-ubyte[.gz]`, the names of every MNIST-family release. */
const IDX_NAME = /^(?:(.+?)[-_.])?(train|t10k|test)[-_.](images|labels)[-_.]idx(\d)[-_.]ubyte(\.gz)?$/i;

/** True when a file name looks like an IDX file of the MNIST family. */
export function isIdxName(name: string): boolean {
  return IDX_NAME.test(name);
}

interface IdxSplitFiles {
  split: 'train' | 'test';
  images?: string;
  labels?: string;
}

interface LoadedSplit {
  split: 'train' | 'test';
  images: string;
  header: IdxHeader;
  labels: Int32Array;
}

/** Groups the IDX files of a folder by prefix and split (raw preferred over `.gz` duplicates). */
async function findIdxFiles(
  dir: string,
  dropped: string | undefined,
  o: ListOptions,
): Promise<{ prefix: string; splits: IdxSplitFiles[] }> {
  const { files } = await listFolder(dir, o);
  const byPrefix = new Map<string, Map<string, IdxSplitFiles>>();
  for (const f of [...files].sort((a, b) => Number(a.endsWith('.gz')) - Number(b.endsWith('.gz')))) {
    const m = IDX_NAME.exec(f);
    if (!m) continue;
    const prefix = (m[1] ?? '').toLowerCase();
    const split = m[2]?.toLowerCase() === 'train' ? 'train' : 'test';
    const role = m[3]?.toLowerCase() === 'images' ? 'images' : 'labels';
    const splits = byPrefix.get(prefix) ?? new Map<string, IdxSplitFiles>();
    byPrefix.set(prefix, splits);
    const entry = splits.get(split) ?? { split };
    splits.set(split, entry);
    entry[role] ??= f;
  }
  let prefix: string | undefined;
  if (dropped) prefix = (IDX_NAME.exec(path.basename(dropped))?.[1] ?? '').toLowerCase();
  else if (byPrefix.size === 1) prefix = [...byPrefix.keys()][0];
  else if (byPrefix.size > 1) {
    const names = [...byPrefix.keys()].map((p) => p || '(none)').join(', ');
    throw invalid(dir, `several IDX sets in one folder (prefixes ${names}); drop one of their files instead`);
  }
  const splits = prefix === undefined ? undefined : byPrefix.get(prefix);
  if (!splits || prefix === undefined)
    throw failure('unsupported-format', `${dir}: no IDX files (train-images-idx3-ubyte…)`);
  return {
    prefix,
    splits: [...splits.values()].sort((a, b) => (a.split === b.split ? 0 : a.split === 'train' ? -1 : 1)),
  };
}

/** Reads only the header of an IDX images file (raw or gzip), checking its size against the file. */
async function readImagesHeader(file: string): Promise<IdxHeader> {
  const name = path.basename(file);
  const { size } = await fs.stat(file);
  const gz = await isGzip(file);
  const reader = ByteReader.from(maybeGunzipChunks(file, decompressionCap(size)));
  try {
    const magic = await reader.readExact(4);
    const ndims = checkIdxMagic(magic, name, [3, 4]);
    const rest = await reader.readExact(idxHeaderLength(ndims) - 4);
    const bytes = new Uint8Array(magic.length + rest.length);
    bytes.set(magic, 0);
    bytes.set(rest, magic.length);
    const header = parseIdxHeader(bytes, name, [3, 4]);
    const c = header.dims[3] ?? 1;
    if (c !== 1 && c !== 3) throw invalid(name, `images with ${c} channels (1 or 3 supported)`);
    const need = header.dataOffset + header.dataBytes;
    if (!gz && size !== need) {
      throw corrupt(
        name,
        size < need
          ? `truncated: ${size} bytes, the header declares ${need}`
          : `${size - need} unexpected bytes after the data`,
      );
    }
    if (gz && need > decompressionCap(size))
      throw tooLarge(name, `declares ${need} bytes, far beyond what ${size} compressed bytes can hold`);
    return header;
  } finally {
    await reader.close();
  }
}

/** Reads an IDX labels file whole (it is small). */
async function readLabels(file: string): Promise<Int32Array> {
  const name = path.basename(file);
  const bytes = await readWhole(file);
  const header = parseIdxHeader(bytes, name, [1]);
  const need = header.dataOffset + header.dataBytes;
  if (bytes.length !== need) {
    throw corrupt(
      name,
      bytes.length < need
        ? `truncated: ${bytes.length} bytes, the header declares ${need}`
        : 'unexpected bytes after the labels',
    );
  }
  return Int32Array.from(bytes.subarray(header.dataOffset));
}

const GENERIC_FOLDERS = ['data', 'raw', 'processed', 'dataset', 'datasets', 'files', 'download', 'downloads'];

/** The folder name that best describes a dataset (skipping generic ones like `raw/` or `data/`). */
function describingFolder(dir: string): string {
  const parts = path
    .resolve(dir)
    .split(path.sep)
    .filter((s) => s.length > 0);
  for (let i = parts.length - 1; i >= Math.max(0, parts.length - 3); i--) {
    const p = parts[i] as string;
    if (!GENERIC_FOLDERS.includes(p.toLowerCase())) return p;
  }
  return parts[parts.length - 1] ?? 'dataset';
}

function familyName(
  prefix: string,
  dir: string,
): { name: string; names?: readonly string[]; transpose: boolean } {
  const hint = `${prefix} ${describingFolder(dir)}`.toLowerCase();
  if (prefix.startsWith('emnist'))
    return { name: `EMNIST ${prefix.replace(/^emnist[-_]?/, '')}`.trim(), transpose: true };
  if (hint.includes('fashion'))
    return { name: 'Fashion-MNIST', names: KNOWN_CLASS_NAMES.fashion, transpose: false };
  if (hint.includes('kmnist')) return { name: 'KMNIST', names: KNOWN_CLASS_NAMES.kmnist, transpose: false };
  if (hint.includes('mnist')) return { name: 'MNIST', names: KNOWN_CLASS_NAMES.mnist, transpose: false };
  return { name: describingFolder(dir), transpose: false };
}

/** Streams the images of one IDX file in batches of whole images. */
async function* imageBatches(
  file: string,
  header: IdxHeader,
  labels: Int32Array,
  transpose: boolean,
): AsyncGenerator<[Uint8Array, Int32Array]> {
  const name = path.basename(file);
  const { size } = await fs.stat(file);
  const reader = ByteReader.from(maybeGunzipChunks(file, decompressionCap(size)));
  try {
    await reader.skip(header.dataOffset);
    const n = header.dims[0] ?? 0;
    const per = header.perItem;
    const batch = Math.max(1, Math.floor((1 << 20) / Math.max(1, per)));
    for (let i = 0; i < n; i += batch) {
      const k = Math.min(batch, n - i);
      const x = await reader.readExact(k * per);
      if (x.length < k * per)
        throw corrupt(name, `truncated after ${i + Math.floor(x.length / per)} of ${n} images`);
      yield [transpose ? transposeImages(x, header) : x, labels.subarray(i, i + k)];
    }
    if (!(await reader.atEnd())) throw corrupt(name, 'unexpected bytes after the last image');
  } finally {
    await reader.close();
  }
}

/** EMNIST stores each image column-major; the lab stores row-major. */
function transposeImages(x: Uint8Array, header: IdxHeader): Uint8Array {
  const h = header.dims[1] ?? 0;
  const w = header.dims[2] ?? 0;
  const out = new Uint8Array(x.length);
  for (let o = 0; o < x.length; o += h * w) {
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[o + r * w + c] = x[o + c * h + r] as number;
  }
  return out;
}

/** Opens an MNIST-family IDX source: a folder, or one of its files (the siblings are found). */
export async function openIdx(sourcePath: string, ctx: OpenContext): Promise<ImportSource> {
  const isFile = (await fs.stat(sourcePath)).isFile();
  const dir = isFile ? path.dirname(sourcePath) : sourcePath;
  const { prefix, splits: found } = await findIdxFiles(dir, isFile ? sourcePath : undefined, ctx.options);
  const loaded: LoadedSplit[] = [];
  for (const s of found) {
    if (!s.images || !s.labels)
      throw invalid(
        dir,
        `the ${s.split} split has ${s.images ? 'images but no labels' : 'labels but no images'} file`,
      );
    ctx.job.checkCancelled();
    const header = await readImagesHeader(path.join(dir, s.images));
    const labels = await readLabels(path.join(dir, s.labels));
    if ((header.dims[0] ?? 0) !== labels.length) {
      throw corrupt(s.images, `${header.dims[0] ?? 0} images but ${labels.length} labels in ${s.labels}`);
    }
    loaded.push({ split: s.split, images: s.images, header, labels });
  }
  const first = loaded[0];
  if (!first) throw failure('unsupported-format', `${dir}: no IDX images`);
  const dims = first.header.dims;
  const shape = [dims[1] ?? 0, dims[2] ?? 0, dims[3] ?? 1];
  for (const l of loaded) {
    if (l.header.perItem !== first.header.perItem)
      throw invalid(l.images, 'train and test images differ in size');
  }
  const family = familyName(prefix, dir);
  const declared = declaredClasses(
    { classNames: family.names, classNamesFrom: `the ${family.name} release` },
    ctx.options.classNames,
  );
  for (const l of loaded)
    if (declared)
      checkLabelRange(
        found.find((f) => f.split === l.split)?.labels ?? l.images,
        l.labels,
        declared.names.length,
        declared.by,
      );
  let numClasses = 0;
  for (const l of loaded) for (const v of l.labels) numClasses = Math.max(numClasses, v + 1);
  const classNames = chooseClassNames(numClasses, family.names, ctx.options.classNames);
  const warnings: string[] = [];
  if (family.transpose)
    warnings.push('EMNIST images are stored transposed in the IDX files; they were transposed back');

  // Both splits present: keep them. One only: seeded stratified hold-out.
  const pool = loaded.length === 1 ? planPool(first.labels, classNames.length, ctx.options) : undefined;
  if (pool)
    warnings.push(
      `only the ${first.split} files were found; ${pool.splits[1]?.count ?? 0} examples held out as the test split`,
    );
  const splits: SourceSplit[] =
    pool?.splits ??
    loaded.map((l) => ({
      name: l.split,
      count: l.labels.length,
      countsPerClass: countClasses(l.labels, classNames.length),
    }));

  return {
    format: 'idx',
    name: family.name,
    kind: 'images',
    shape,
    dtype: 'uint8',
    classNames,
    splits,
    warnings,
    files: found.flatMap((s) => [s.images ?? '', s.labels ?? '']),
    root: dir,
    async samples(count): Promise<SampleImage[]> {
      const out: SampleImage[] = [];
      for await (const [x, y] of imageBatches(
        path.join(dir, first.images),
        first.header,
        first.labels,
        family.transpose,
      )) {
        const per = first.header.perItem;
        for (let i = 0; i < y.length && out.length < count; i++) {
          out.push({
            height: shape[0]!,
            width: shape[1]!,
            channels: shape[2]!,
            label: y[i]!,
            pixels: Array.from(x.subarray(i * per, (i + 1) * per)),
          });
        }
        break;
      }
      return out;
    },
    async emit(writer, job): Promise<void> {
      job.phase('writing');
      const perExample = first.header.perItem;
      const router = pool ? await SplitRouter.open(writer, pool, perExample) : undefined;
      for (const l of loaded) {
        const sink: ExampleSink = router ?? (await writer.split(l.split, l.labels.length));
        for await (const [x, y] of imageBatches(
          path.join(dir, l.images),
          l.header,
          l.labels,
          family.transpose,
        )) {
          await sink.write(x, y);
          await job.breathe();
        }
      }
    },
  };
}
