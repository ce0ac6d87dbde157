import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { LabFailure } from '../../shared/result.js';

/** True when `child` is `parent` or lies below it. */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks a path the page asks the OS to open and returns it resolved. The page only ever opens
 * the data folder, run folders and exports, so anything outside the data folder (symlinks
 * resolved) is refused; and only folders are opened, because opening a file runs its default
 * application, which for an executable means running it. Revealing a file in its folder is safe.
 */
export async function checkOpenablePath(dataDir: string, target: string, reveal: boolean): Promise<string> {
  const refuse = (why: string): LabFailure => new LabFailure('forbidden', `Cannot open ${target}: ${why}`);
  const root = await realpath(dataDir).catch(() => path.resolve(dataDir));
  const real = path.isAbsolute(target) ? await realpath(target).catch(() => null) : null;
  if (!real) throw refuse('no such file or folder');
  if (!isInside(root, real)) throw refuse('only paths inside the lab’s data folder can be opened');
  if (!reveal && !(await stat(real)).isDirectory()) throw refuse('only folders are opened; files are shown');
  return real;
}
