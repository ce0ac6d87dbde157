import type { DatasetMeta } from '../../../shared/dataset-types.js';
import { failure } from './errors.js';

const alnum = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The clean-set name a suite name implies: `CIFAR-10-C` → `cifar10`, `mnist_c` → `mnist`. */
export function cleanBaseName(suiteName: string): string | undefined {
  const m = /^(.*?)[-_ ]?c$/i.exec(suiteName.trim());
  const base = m?.[1] ? alnum(m[1]) : undefined;
  return base && base.length > 0 ? base : undefined;
}

function compatible(m: DatasetMeta, shape: readonly number[], numClasses: number): boolean {
  return m.kind === 'images' && m.shape.join() === shape.join() && m.classNames.length >= numClasses;
}

/**
 * Finds the clean dataset of a corruption suite: the explicit id (checked), else a dataset whose id or
 * name matches the suite's name without its `-C` suffix, with the same image shape and enough
 * classes. Prefers an exact id match, then the most recent import.
 */
export function findCleanDataset(
  existing: readonly DatasetMeta[],
  suiteName: string,
  shape: readonly number[],
  numClasses: number,
  explicit: string | undefined,
): DatasetMeta | undefined {
  if (explicit !== undefined) {
    const m = existing.find((d) => d.id === explicit);
    if (!m) throw failure('dataset-invalid', `linkTo: no dataset with id "${explicit}"`);
    if (!compatible(m, shape, numClasses)) {
      throw failure(
        'dataset-invalid',
        `linkTo: "${explicit}" has shape (${m.shape.join(', ')}) and ${m.classNames.length} classes; the suite has (${shape.join(', ')}) and ${numClasses}`,
      );
    }
    return m;
  }
  const base = cleanBaseName(suiteName);
  if (!base) return undefined;
  const candidates = existing.filter(
    (d) => (alnum(d.id) === base || alnum(d.name) === base) && compatible(d, shape, numClasses),
  );
  candidates.sort(
    (a, b) =>
      Number(alnum(b.id) === base) - Number(alnum(a.id) === base) ||
      b.source.importedAt.localeCompare(a.source.importedAt),
  );
  return candidates[0];
}
