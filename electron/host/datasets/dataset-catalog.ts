import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DATASET_FORMAT_VERSION, type DatasetMeta } from '../../../shared/dataset-types.js';
import { failure } from './errors.js';
import { isValidId } from './naming.js';

/** A dataset folder that could not be listed, and why. */
export interface DatasetProblem {
  /** Folder name. */
  id: string;
  /** What is wrong with it. */
  message: string;
}

const KINDS = ['images', 'tabular', 'corruptions'];

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isInteger(x) && (x as number) >= 0);
}

/** Checks the fields the engine and the UI rely on; returns a problem description or undefined. */
function problemOf(m: Partial<DatasetMeta>, id: string): string | undefined {
  if (typeof m !== 'object' || m === null) return 'meta.json is not an object';
  if (typeof m.formatVersion !== 'number' || m.formatVersion > DATASET_FORMAT_VERSION) {
    return `format version ${String(m.formatVersion)} (this lab reads up to ${DATASET_FORMAT_VERSION})`;
  }
  if (m.id !== id) return `meta.json id "${String(m.id)}" does not match the folder name`;
  if (typeof m.name !== 'string' || !KINDS.includes(m.kind as string))
    return 'meta.json lacks a name or kind';
  if (!isIntArray(m.shape) || m.shape.length === 0) return 'meta.json has no valid shape';
  if (!Array.isArray(m.classNames) || m.classNames.length === 0) return 'meta.json has no class names';
  if (typeof m.splits !== 'object' || m.splits === null) return 'meta.json has no splits';
  for (const s of [m.splits.train, m.splits.test]) {
    if (s && (!Number.isInteger(s.count) || typeof s.inputs !== 'string' || typeof s.labels !== 'string'))
      return 'meta.json has a malformed split';
  }
  if (m.kind !== 'corruptions' && (!m.splits.train || !m.splits.test)) return 'missing train or test split';
  if (
    m.kind === 'corruptions' &&
    (!m.splits.test || !Array.isArray(m.corruptions) || m.corruptions.length === 0)
  )
    return 'corruption suite without corruptions';
  return undefined;
}

/** Files a meta.json names, relative to its folder. */
export function filesOf(m: DatasetMeta): string[] {
  const out: string[] = [];
  for (const s of [m.splits.train, m.splits.test])
    if (s) out.push(...[s.inputs, s.labels].filter((f) => f.length > 0));
  for (const c of m.corruptions ?? []) out.push(c.file);
  return out;
}

/** Reads and validates `<datasets>/<id>/meta.json` (including that its files exist). */
export async function readMeta(datasetsDir: string, id: string): Promise<DatasetMeta> {
  if (!isValidId(id)) throw failure('not-found', `no dataset "${id}"`);
  const dir = path.join(datasetsDir, id);
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, 'meta.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw failure('not-found', `no dataset "${id}"`);
    throw failure('io-error', `dataset "${id}": ${(e as Error).message}`);
  }
  let meta: DatasetMeta;
  try {
    meta = JSON.parse(text) as DatasetMeta;
  } catch {
    throw failure('dataset-corrupt', `dataset "${id}": meta.json is not valid JSON`);
  }
  const problem = problemOf(meta, id);
  if (problem) throw failure('dataset-corrupt', `dataset "${id}": ${problem}`);
  for (const f of filesOf(meta)) {
    if (f.includes('/') || f.includes('\\') || f.startsWith('.'))
      throw failure('dataset-corrupt', `dataset "${id}": bad file name ${f}`);
    const st = await fs.stat(path.join(dir, f)).catch(() => undefined);
    if (!st?.isFile()) throw failure('dataset-corrupt', `dataset "${id}": ${f} is missing`);
  }
  return meta;
}

/** Every valid dataset, sorted by name; broken folders are reported, not thrown. */
export async function readCatalog(
  datasetsDir: string,
): Promise<{ metas: DatasetMeta[]; problems: DatasetProblem[] }> {
  let names: string[];
  try {
    names = (await fs.readdir(datasetsDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { metas: [], problems: [] };
    throw e;
  }
  const metas: DatasetMeta[] = [];
  const problems: DatasetProblem[] = [];
  await Promise.all(
    names.map(async (id) => {
      try {
        metas.push(await readMeta(datasetsDir, id));
      } catch (e) {
        problems.push({ id, message: e instanceof Error ? e.message : String(e) });
      }
    }),
  );
  metas.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  problems.sort((a, b) => a.id.localeCompare(b.id));
  return { metas, problems };
}
