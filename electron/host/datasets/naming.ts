import type { DatasetMeta } from '../../../shared/dataset-types.js';
import { failure } from './errors.js';
import { parseSyntheticId } from './synthetic.js';

/** True for ids of the built-in datasets (`mnist`, `blobs`, `spirals-5`…), never given to an import. */
export function isReservedId(id: string): boolean {
  return id === 'mnist' || parseSyntheticId(id) !== undefined;
}

const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** True for a well-formed dataset id (also what keeps ids from naming paths outside the store). */
export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Lower-case `[a-z0-9-]` slug of a display name (at most 48 characters, never empty). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'dataset';
}

/** A display name cleaned of control characters and surrounding space. */
export function cleanName(name: string): string {
  const cleaned = name
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned.length === 0) throw failure('dataset-invalid', 'the dataset name is empty');
  if (cleaned.length > 120)
    throw failure('dataset-invalid', 'the dataset name is longer than 120 characters');
  return cleaned;
}

/** Existing dataset whose name equals `name` (case-insensitive), if any. */
export function findByName(existing: readonly DatasetMeta[], name: string): DatasetMeta | undefined {
  const key = name.trim().toLowerCase();
  return existing.find((m) => m.name.trim().toLowerCase() === key);
}

/** Throws `name-taken` when another dataset already has this name. */
export function assertNameFree(existing: readonly DatasetMeta[], name: string): void {
  const other = findByName(existing, name);
  if (other) {
    throw failure(
      'name-taken',
      `a dataset named "${other.name}" already exists (id ${other.id}); choose another name (--name) or remove it first`,
    );
  }
}

/** The slug of `name`, suffixed `-2`, `-3`… until it is neither taken nor reserved. */
export function uniqueId(name: string, taken: ReadonlySet<string>): string {
  const base = slugify(name);
  if (!taken.has(base) && !isReservedId(base)) return base;
  for (let i = 2; ; i++) {
    const id = `${base}-${i}`;
    if (!taken.has(id) && !isReservedId(id)) return id;
  }
}
