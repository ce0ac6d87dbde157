import { promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid } from './errors.js';

/** Entries of a folder split into regular files and folders (hidden and special files skipped). */
export interface FolderListing {
  /** Regular file names, sorted. */
  files: string[];
  /** Sub-folder names, sorted. */
  dirs: string[];
  /** Symbolic links that were not followed, sorted (empty when links are followed). */
  links: string[];
}

/** How folders are listed. */
export interface ListOptions {
  /**
   * Follow symbolic links to files and folders. Off by default: a dataset is what its folder
   * holds, and a link (to another class, to a parent folder) silently adds or repeats examples.
   */
  followLinks?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A name's bytes as text, with bytes that are not printable ASCII written `\xHH`. */
function escapeBytes(name: Uint8Array): string {
  return Array.from(name, (c) =>
    c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`,
  ).join('');
}

/**
 * Lists a folder. Sockets, FIFOs and devices are skipped so that reading never blocks; names
 * starting with a dot (`.DS_Store`, `._x`) and `__MACOSX` are ignored; links are listed apart
 * unless followed. A name that is not valid UTF-8 is refused, naming the folder and the name's
 * bytes: Node would read it with replacement characters and then fail to open it ("no such file").
 */
export async function listFolder(dir: string, o: ListOptions = {}): Promise<FolderListing> {
  const files: string[] = [];
  const dirs: string[] = [];
  const links: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
    const raw = e.name;
    let name: string;
    try {
      name = utf8.decode(raw);
    } catch {
      throw invalid(
        dir,
        `the name "${escapeBytes(raw)}" is not valid UTF-8, so it cannot be opened by name here; rename it (e.g. convmv -f latin1 -t utf8)`,
      );
    }
    if (name.startsWith('.') || name === '__MACOSX') continue;
    let isFile = e.isFile();
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      if (!o.followLinks) {
        links.push(name);
        continue;
      }
      const st = await fs.stat(path.join(dir, name)).catch(() => undefined);
      isFile = st?.isFile() ?? false;
      isDir = st?.isDirectory() ?? false;
    }
    if (isFile) files.push(name);
    else if (isDir) dirs.push(name);
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { files: files.sort(cmp), dirs: dirs.sort(cmp), links: links.sort(cmp) };
}

/** True when the path is a regular file (symlinks followed). */
export async function isRegularFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** Base name without the dataset-irrelevant extensions (`.tar.gz`, `.npz`, `.csv`…). */
export function stem(p: string): string {
  return path.basename(p).replace(/\.(tar\.gz|tgz|tar|npz|npy|csv|tsv|gz|bin|zip)$/i, '');
}
