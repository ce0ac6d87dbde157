import type { DroppedFile } from './client';

/**
 * What to import when several paths were dropped in Electron: the one path, or the folder they
 * share (dropping the four MNIST IDX files imports their folder).
 */
export function importPathOf(paths: string[]): string {
  const first = paths[0];
  if (first === undefined) throw new Error('Nothing was dropped');
  if (paths.length === 1) return first;
  const sep = first.includes('\\') && !first.includes('/') ? '\\' : '/';
  const dirs = paths.map((p) => p.split(/[\\/]/).slice(0, -1));
  const head = dirs[0] ?? [];
  let n = 0;
  while (n < head.length && dirs.every((d) => d[n] === head[n])) n++;
  const common = head.slice(0, n).join(sep);
  return common.length > 0 ? common : sep;
}

/**
 * What to import after an upload batch: the single file, the single dropped folder, or the batch
 * folder holding several files.
 */
export function uploadedImportPath(dir: string, files: DroppedFile[]): string {
  const only = files.length === 1 ? files[0] : undefined;
  if (only && !only.relativePath.includes('/')) return `${dir}/${only.relativePath}`;
  const tops = new Set(files.map((f) => f.relativePath.split('/')[0]));
  const nested = files.every((f) => f.relativePath.includes('/'));
  const top = [...tops][0];
  return tops.size === 1 && nested && top !== undefined ? `${dir}/${top}` : dir;
}

/** A random id for one upload batch. */
export function batchId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
