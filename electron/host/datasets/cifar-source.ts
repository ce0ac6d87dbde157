import type { SourceFormat } from '../../../shared/dataset-types.js';
import type { ByteReader } from './byte-reader.js';
import { chooseClassNames, KNOWN_CLASS_NAMES, parseNameLines } from './class-names.js';
import {
  CIFAR_PIXELS,
  convertRecords,
  labelByte,
  recordCount,
  recordGroups,
  recordLabels,
  type CifarVariant,
} from './cifar-records.js';
import { failure, invalid } from './errors.js';
import type { ImportSource, OpenContext, SampleImage } from './source.js';
import { countClasses } from './split-assign.js';
import type { SplitWriter } from './split-writer.js';

/** A batch file (or tar member) of the CIFAR binary release. */
export interface CifarBatchRef {
  /** Base name, e.g. `data_batch_1.bin`. */
  name: string;
  /** Split it belongs to. */
  split: 'train' | 'test';
  /** Variant its name implies. */
  variant: CifarVariant;
  /** Bytes. */
  bytes: number;
}

/**
 * Walks the files of a release: batches get a reader of exactly their bytes, label-name text files
 * their content. Called once to open (labels only) and once to import.
 */
export type CifarWalker = (
  onBatch: (batch: CifarBatchRef, data: ByteReader) => Promise<void>,
  onText: (name: string, text: string) => void,
) => Promise<void>;

interface ScannedBatch extends CifarBatchRef {
  records: number;
  labels: Int32Array;
}

const SAMPLE_KEEP = 16;

/** Opens a CIFAR-10 / CIFAR-100 binary release given a way to walk its files (folder or tar.gz). */
export async function openCifar(
  walk: CifarWalker,
  meta: { root: string; files: string[] },
  ctx: OpenContext,
): Promise<ImportSource> {
  const batches: ScannedBatch[] = [];
  const texts = new Map<string, string>();
  const samples: SampleImage[] = [];
  let variant: CifarVariant | undefined;
  const labelSet = ctx.options.labelSet ?? 'fine';
  await walk(
    async (b, data) => {
      variant ??= b.variant;
      if (b.variant !== variant) throw invalid(meta.root, 'mixes CIFAR-10 and CIFAR-100 batch files');
      const records = recordCount(b.bytes, variant, b.name);
      const labels = new Int32Array(records);
      let at = 0;
      for await (const [buf, k] of recordGroups(data, records, variant, b.name)) {
        labels.set(recordLabels(buf, k, variant, labelByte(variant, labelSet)), at);
        if (samples.length < SAMPLE_KEEP && (b.split === 'test' || batches.length === 0)) {
          const { x, y } = convertRecords(
            buf,
            Math.min(k, SAMPLE_KEEP - samples.length),
            variant,
            labelByte(variant, labelSet),
          );
          for (let i = 0; i < y.length; i++) {
            samples.push({
              height: 32,
              width: 32,
              channels: 3,
              label: y[i]!,
              pixels: Array.from(x.subarray(i * CIFAR_PIXELS, (i + 1) * CIFAR_PIXELS)),
            });
          }
        }
        at += k;
        await ctx.job.breathe();
      }
      batches.push({ ...b, records, labels });
    },
    (name, text) => texts.set(name.toLowerCase(), text),
  );
  if (!variant || batches.length === 0)
    throw failure(
      'unsupported-format',
      `${meta.root}: no CIFAR batch files (data_batch_*.bin, test_batch.bin, train.bin, test.bin)`,
    );

  const warnings: string[] = [];
  const notes: string[] = [];
  let fromFiles: string[] | undefined;
  let numClasses: number;
  let name: string;
  if (variant === 'cifar10') {
    numClasses = 10;
    name = 'CIFAR-10';
    const t = texts.get('batches.meta.txt');
    fromFiles = t ? parseNameLines(t) : [...KNOWN_CLASS_NAMES.cifar10];
    if (!t) warnings.push('batches.meta.txt not found; using the standard CIFAR-10 class names');
    if (ctx.options.labelSet === 'coarse') warnings.push('CIFAR-10 has one label set; labelSet ignored');
  } else {
    numClasses = labelSet === 'fine' ? 100 : 20;
    name = labelSet === 'fine' ? 'CIFAR-100' : 'CIFAR-100 (coarse)';
    const file = labelSet === 'fine' ? 'fine_label_names.txt' : 'coarse_label_names.txt';
    const t = texts.get(file);
    fromFiles = t ? parseNameLines(t) : undefined;
    notes.push(`labels taken from the ${labelSet} label set (${numClasses} classes)`);
    if (!t) warnings.push(`${file} not found; classes are numbered`);
  }
  if (fromFiles && fromFiles.length !== numClasses) {
    warnings.push(
      `label names file lists ${fromFiles.length} names for ${numClasses} classes; classes are numbered`,
    );
    fromFiles = undefined;
  }
  for (const b of batches) {
    const bad = b.labels.findIndex((v) => v >= numClasses);
    if (bad >= 0)
      throw invalid(
        b.name,
        `label ${b.labels[bad] ?? 0} of record ${bad} is out of range [0, ${numClasses - 1}]`,
      );
  }
  const classNames = chooseClassNames(numClasses, fromFiles, ctx.options.classNames);
  const splits = (['train', 'test'] as const)
    .map((s) => {
      const of = batches.filter((b) => b.split === s);
      const counts = new Array<number>(numClasses).fill(0);
      for (const b of of) countClasses(b.labels, numClasses).forEach((c, i) => (counts[i]! += c));
      return { name: s, count: of.reduce((a, b) => a + b.records, 0), countsPerClass: counts };
    })
    .filter((s) => s.count > 0);
  for (const needed of ['train', 'test'] as const) {
    if (!splits.some((s) => s.name === needed)) {
      throw invalid(
        meta.root,
        `no ${needed} batch (${variant === 'cifar10' ? (needed === 'train' ? 'data_batch_*.bin' : 'test_batch.bin') : `${needed}.bin`}); the lab needs both splits`,
      );
    }
  }
  const v = variant;

  return {
    format: v satisfies SourceFormat,
    name,
    kind: 'images',
    shape: [32, 32, 3],
    dtype: 'uint8',
    classNames,
    splits,
    warnings,
    notes,
    files: meta.files,
    root: meta.root,
    samples: (count) => Promise.resolve(samples.slice(0, count)),
    async emit(writer, job): Promise<void> {
      job.phase('writing');
      const sinks = new Map<string, SplitWriter>();
      for (const s of splits) sinks.set(s.name, await writer.split(s.name, s.count));
      await walk(
        async (b, data) => {
          const sink = sinks.get(b.split);
          if (!sink) return;
          const records = recordCount(b.bytes, v, b.name);
          for await (const [buf, k] of recordGroups(data, records, v, b.name)) {
            const { x, y } = convertRecords(buf, k, v, labelByte(v, labelSet));
            await sink.write(x, y);
            await job.breathe();
          }
        },
        () => undefined,
      );
    },
  };
}
