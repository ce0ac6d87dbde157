import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RunFolderDamage } from './damage.js';

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The absolute path of `rel`, a path recorded inside a run folder (latest.json's `dir`, a weights
 * manifest's file, a probe graph), checked to stay inside `root`: no absolute path, no `..` out of
 * it, and no symbolic link leading out of it once resolved. `file` names the record for the error.
 */
export async function confinedPath(root: string, rel: string, file: string): Promise<string> {
  if (rel.includes('\0') || path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel))
    throw new RunFolderDamage(file, `"${rel}" is not a path inside the run folder`);
  const full = path.resolve(root, rel);
  if (!isInside(path.resolve(root), full))
    throw new RunFolderDamage(file, `"${rel}" points outside the run folder`);
  const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
  const real = await fs.realpath(full).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
    throw e;
  });
  if (real !== undefined && !isInside(realRoot, real))
    throw new RunFolderDamage(file, `"${rel}" leads outside the run folder through a link`);
  return full;
}
