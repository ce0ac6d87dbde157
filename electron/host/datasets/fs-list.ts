import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Entries of a folder split into regular files and folders (symlinks followed; hidden and special files skipped). */
export interface FolderListing {
  /** Regular file names, sorted. */
  files: string[];
  /** Sub-folder names, sorted. */
  dirs: string[];
}

/**
 * Lists a folder. Sockets, FIFOs and devices are skipped so that reading never blocks; names
 * starting with a dot (`.DS_Store`, `._x`) and `__MACOSX` are ignored.
 */
export async function listFolder(dir: string): Promise<FolderListing> {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === '__MACOSX') continue;
    let isFile = e.isFile();
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      const st = await fs.stat(path.join(dir, e.name)).catch(() => undefined);
      isFile = st?.isFile() ?? false;
      isDir = st?.isDirectory() ?? false;
    }
    if (isFile) files.push(e.name);
    else if (isDir) dirs.push(e.name);
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { files: files.sort(cmp), dirs: dirs.sort(cmp) };
}

/** True when the path is a regular file (symlinks followed). */
export async function isRegularFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** Base name without the dataset-irrelevant extensions (`.tar.gz`, `.npz`, `.csv`…). */
export function stem(p: string): string {
  return path.basename(p).replace(/\.(tar\.gz|tgz|tar|npz|npy|csv|tsv|gz|bin|zip)$/i, '');
}
