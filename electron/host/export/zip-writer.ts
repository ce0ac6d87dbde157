import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

/** One file to put in an archive: its name inside the zip and where to read it. */
export interface ZipEntry {
  name: string;
  file: string;
}

/**
 * Writes a zip archive with yazl: files streamed from disk one at a time (deflated, UTF-8 names,
 * zip64 where a file or the archive passes 4 GiB). Resolves to the archive's size in bytes.
 */
export async function writeZip(out: string, entries: ZipEntry[]): Promise<number> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addFile(e.file, e.name.split(path.sep).join('/'));
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out));
  return (await fs.stat(out)).size;
}

/** Every regular file under a folder, as zip entries named relative to `prefix` (links are not followed). */
export async function folderEntries(dir: string, prefix: string): Promise<ZipEntry[]> {
  const out: ZipEntry[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const ent of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, ent.name);
      const name = path.posix.join(rel, ent.name);
      if (ent.isDirectory()) await walk(full, name);
      else if (ent.isFile() && !ent.name.endsWith('.tmp')) out.push({ name, file: full });
    }
  };
  await walk(dir, prefix);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
