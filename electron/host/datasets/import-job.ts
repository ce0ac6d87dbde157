import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DATASET_FORMAT_VERSION,
  type DatasetMeta,
  type ImportProgress,
  type SourceFormat,
} from '../../../shared/dataset-types.js';
import { sourceChecksum } from './checksum.js';
import { DatasetWriter } from './dataset-writer.js';
import { detectFormat } from './detect-format.js';
import { asLabFailure } from './errors.js';
import { validateOptions, type ImportOptions } from './import-options.js';
import { JobContext } from './job-context.js';
import { checkOutputBytes } from './limits.js';
import { cleanName } from './naming.js';
import type { ImportSource } from './source.js';

/** Opens the source at a path with validated options. */
export async function openSource(
  sourcePath: string,
  options: ImportOptions,
  job: JobContext,
  existing: () => Promise<DatasetMeta[]>,
): Promise<ImportSource> {
  const o = validateOptions({ ...options });
  const detected = await detectFormat(sourcePath, o.format, o);
  job.checkCancelled();
  const source = await detected.open(detected.path, { options: o, job, existing });
  // Refuse an oversized result at preview time, not after minutes of writing.
  checkOutputBytes(path.basename(sourcePath), expectedOutputBytes(source));
  return source;
}

/** Bytes the stored dataset will take (inputs and labels). */
export function expectedOutputBytes(source: ImportSource): number {
  const per = source.shape.reduce((a, b) => a * b, 1) * (source.kind === 'tabular' ? 4 : 1);
  const examples = source.splits.reduce((a, s) => a + s.count, 0);
  const rows = (source.corruptions ?? []).reduce(
    (a, c) => a + c.severities * (source.splits[0]?.count ?? 0),
    0,
  );
  return source.kind === 'corruptions' ? rows * per + examples * 4 : examples * (per + 4);
}

/** The checksum of an opened source. */
export function checksumOf(source: ImportSource, job: JobContext): Promise<string> {
  return source.checksum !== undefined
    ? Promise.resolve(source.checksum)
    : sourceChecksum(source.root, source.files, job);
}

/** Everything an import needs from the store. */
export interface ImportJob {
  /** Absolute source path, or a description for generated sets. */
  sourcePath: string;
  /** Options. */
  options: ImportOptions;
  /** A source opened by the caller (built-ins); otherwise detected from the path. */
  source?: ImportSource;
  /** Format recorded in meta.json instead of the detected one (`builtin-mnist`). */
  formatOverride?: SourceFormat;
  /** The store's `tmp/` folder. */
  tmpDir: string;
  /** Current datasets. */
  existing: () => Promise<DatasetMeta[]>;
  /** Checks the name before the long part starts (throws `name-taken`). */
  precheck: (name: string) => Promise<void>;
  /** Moves the staging folder into the store, assigning the id; returns the final meta. */
  commit: (staging: string, meta: DatasetMeta) => Promise<DatasetMeta>;
  /** Progress listener (≤ 10 calls/s). */
  onProgress?: (p: ImportProgress) => void;
  /** Cancels the import. */
  signal?: AbortSignal;
}

/**
 * Runs one import: open and validate the source, checksum it, stream it into a staging folder under
 * `tmp/`, write meta.json and hand the folder to the store to rename into place. On failure or
 * cancellation the staging folder is removed and nothing appears in `datasets/`.
 */
export async function runImport(job: ImportJob): Promise<DatasetMeta> {
  const ctx = new JobContext(randomBytes(6).toString('hex'), job.signal, job.onProgress);
  const staging = path.join(job.tmpDir, `import-${ctx.jobId}`);
  let writer: DatasetWriter | undefined;
  try {
    ctx.checkCancelled();
    ctx.phase('reading');
    const source = job.source ?? (await openSource(job.sourcePath, job.options, ctx, job.existing));
    const name = cleanName(job.options.name ?? source.name);
    await job.precheck(name);
    const checksum = await checksumOf(source, ctx);
    const total =
      source.splits.reduce((a, s) => a + s.count, 0) +
      (source.corruptions ?? []).reduce((a, c) => a + c.severities * (source.splits[0]?.count ?? 0), 0);
    ctx.setTotal(total);
    await fs.mkdir(staging, { recursive: true });
    writer = new DatasetWriter(
      staging,
      {
        kind: source.kind,
        shape: source.shape,
        numClasses: source.classNames.length,
        ...(source.presetStats ? { presetStats: source.presetStats } : {}),
      },
      ctx,
    );
    ctx.phase('writing');
    await source.emit(writer, ctx);
    ctx.phase('statistics');
    const result = await writer.finish();
    writer = undefined;
    ctx.checkCancelled();
    const meta: DatasetMeta = {
      formatVersion: DATASET_FORMAT_VERSION,
      id: '',
      name,
      kind: source.kind,
      source: {
        format: job.formatOverride ?? source.format,
        path: job.sourcePath,
        importedAt: new Date().toISOString(),
      },
      checksum,
      shape: source.shape,
      classNames: source.classNames,
      splits: result.splits,
      mean: result.stats.mean,
      std: result.stats.std,
      ...(source.linkedTo ? { linkedTo: source.linkedTo } : {}),
      ...(result.corruptions ? { corruptions: result.corruptions } : {}),
      bytes: result.bytes,
    };
    const final = await job.commit(staging, meta);
    ctx.finish('done', { datasetId: final.id });
    return final;
  } catch (e) {
    const failure = asLabFailure(e, path.basename(job.sourcePath));
    await writer?.abort();
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    ctx.finish(failure.code === 'cancelled' ? 'cancelled' : 'failed', { message: failure.message });
    throw failure;
  }
}
