import type { DroppedFile } from './client';

// The File and Directory Entries API, as Chromium implements it for drops.
interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: Entry[]) => void, fail: (e: unknown) => void) => void };
}

async function readAll(entry: Entry): Promise<DroppedFile[]> {
  if (entry.isFile && entry.file) {
    const read = entry.file.bind(entry);
    const file = await new Promise<File>((resolve, reject) => read(resolve, reject));
    return [{ file, relativePath: entry.fullPath.replace(/^\//, '') }];
  }
  if (!entry.isDirectory || !entry.createReader) return [];
  const reader = entry.createReader();
  const children: Entry[] = [];
  // readEntries returns at most 100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<Entry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map(readAll));
  return nested.flat();
}

/**
 * The files of a drop, folders walked recursively with their relative paths preserved. Falls
 * back to the flat file list where entries are unavailable.
 */
export async function collectDrop(data: DataTransfer): Promise<DroppedFile[]> {
  const entries = Array.from(data.items)
    .map((item) => (item.kind === 'file' ? (item.webkitGetAsEntry() as Entry | null) : null))
    .filter((e): e is Entry => e !== null);
  if (entries.length === 0) return fromFileList(data.files);
  const all = await Promise.all(entries.map(readAll));
  return all.flat();
}

/** Files from an `<input type=file>` (with `webkitdirectory`, relative paths are kept). */
export function fromFileList(list: FileList | null): DroppedFile[] {
  return Array.from(list ?? []).map((file) => ({
    file,
    relativePath: file.webkitRelativePath.length > 0 ? file.webkitRelativePath : file.name,
  }));
}
