import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** One file to put in an archive: its name inside the zip and where to read it. */
export interface ZipEntry {
  name: string;
  file: string;
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/**
 * Writes a zip archive (deflate, or stored when deflate does not help). One entry is in memory at
 * a time; entries over 2 GiB are refused (no zip64).
 */
export async function writeZip(out: string, entries: ZipEntry[]): Promise<number> {
  const stream = createWriteStream(out);
  const write = (b: Buffer): Promise<void> =>
    new Promise((resolve, reject) => stream.write(b, (e) => (e ? reject(e) : resolve())));
  const central: Buffer[] = [];
  let offset = 0;
  try {
    for (const e of entries) {
      const data = await fs.readFile(e.file);
      if (data.length > 2 ** 31) throw new Error(`${e.file} is too large for a zip without zip64`);
      const stat = await fs.stat(e.file);
      const packed = deflateRawSync(data);
      const stored = packed.length >= data.length;
      const body = stored ? data : packed;
      const name = Buffer.from(e.name.split(path.sep).join('/'), 'utf8');
      const crc = crc32(data);
      const { time, date } = dosTime(stat.mtime);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6); // UTF-8 names
      local.writeUInt16LE(stored ? 0 : 8, 8);
      local.writeUInt16LE(time, 10);
      local.writeUInt16LE(date, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      await write(Buffer.concat([local, name]));
      await write(body);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x0800, 8);
      c.writeUInt16LE(stored ? 0 : 8, 10);
      c.writeUInt16LE(time, 12);
      c.writeUInt16LE(date, 14);
      c.writeUInt32LE(crc, 16);
      c.writeUInt32LE(body.length, 20);
      c.writeUInt32LE(data.length, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt32LE(offset, 42);
      central.push(c, name);
      offset += local.length + name.length + body.length;
    }
    const dir = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(dir.length, 12);
    end.writeUInt32LE(offset, 16);
    await write(Buffer.concat([dir, end]));
    return offset + dir.length + end.length;
  } finally {
    await new Promise<void>((resolve) => stream.end(resolve));
  }
}

/** Every file under a folder, as zip entries named relative to `prefix`. */
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
