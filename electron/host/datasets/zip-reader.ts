import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { assertSafeMemberName } from './archive-paths.js';
import { corrupt, failure, tooLarge } from './errors.js';
import { fileChunks, inflateChunks } from './file-chunks.js';
import { decompressionCap, LIMITS } from './limits.js';

/** A member of a zip archive (from the central directory, the authoritative record). */
export interface ZipEntry {
  /** Member name. */
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  /** Bytes in the archive. */
  compressedSize: number;
  /** Bytes once decompressed. */
  size: number;
  /** CRC-32 of the decompressed bytes. */
  crc32: number;
  /** Offset of the local header. */
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(v: DataView, at: number): number {
  const n = v.getBigUint64(at, true);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

async function readAt(handle: fs.FileHandle, pos: number, len: number): Promise<DataView> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await handle.read(buf, 0, len, pos);
  return new DataView(buf.buffer, buf.byteOffset, bytesRead);
}

/**
 * Reads the central directory (zip64 included, as NumPy's `savez` writes). Encrypted members,
 * methods other than stored/deflate, unsafe names and symlinks are refused; declared sizes are
 * checked against the file and the decompression caps before anything is inflated.
 */
export async function readZipDirectory(file: string): Promise<ZipEntry[]> {
  const archive = path.basename(file);
  const handle = await fs.open(file, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const tailLen = Math.min(fileSize, 65557);
    const tail = await readAt(handle, fileSize - tailLen, tailLen);
    let at = -1;
    for (let i = tail.byteLength - 22; i >= 0; i--) {
      if (tail.getUint32(i, true) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw corrupt(archive, 'not a zip archive (no end of central directory; truncated?)');
    let count = tail.getUint16(at + 10, true);
    let cdSize = tail.getUint32(at + 12, true);
    let cdOffset = tail.getUint32(at + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locAt = at - 20;
      if (locAt < 0 || tail.getUint32(locAt, true) !== ZIP64_LOCATOR)
        throw corrupt(archive, 'zip64 locator missing');
      const z64 = await readAt(handle, u64(tail, locAt + 8), 56);
      if (z64.byteLength < 56 || z64.getUint32(0, true) !== ZIP64_EOCD)
        throw corrupt(archive, 'bad zip64 end record');
      count = u64(z64, 32);
      cdSize = u64(z64, 40);
      cdOffset = u64(z64, 48);
    }
    if (count > LIMITS.maxArchiveEntries) throw tooLarge(archive, `${count} members`);
    if (cdOffset + cdSize > fileSize || cdSize > 64 * 1024 ** 2)
      throw corrupt(archive, 'central directory outside the file');
    const cd = await readAt(handle, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.byteLength || cd.getUint32(p, true) !== CENTRAL)
        throw corrupt(archive, 'bad central directory entry');
      const madeBy = cd.getUint16(p + 4, true);
      const flags = cd.getUint16(p + 8, true);
      const method = cd.getUint16(p + 10, true);
      const crc32 = cd.getUint32(p + 16, true);
      let compressedSize = cd.getUint32(p + 20, true);
      let size = cd.getUint32(p + 24, true);
      const nameLen = cd.getUint16(p + 28, true);
      const extraLen = cd.getUint16(p + 30, true);
      const commentLen = cd.getUint16(p + 32, true);
      const external = cd.getUint32(p + 38, true);
      let localOffset = cd.getUint32(p + 42, true);
      if (p + 46 + nameLen + extraLen > cd.byteLength)
        throw corrupt(archive, 'central directory entry overruns');
      const name = Buffer.from(cd.buffer, cd.byteOffset + p + 46, nameLen).toString('utf8');
      // Zip64 extra field: 64-bit values for the 32-bit fields saturated at 0xffffffff, in order.
      let e = p + 46 + nameLen;
      const end = e + extraLen;
      while (e + 4 <= end) {
        const id = cd.getUint16(e, true);
        const len = cd.getUint16(e + 2, true);
        if (id === 0x0001) {
          let q = e + 4;
          const stop = e + 4 + len;
          if (size === 0xffffffff && q + 8 <= stop) {
            size = u64(cd, q);
            q += 8;
          }
          if (compressedSize === 0xffffffff && q + 8 <= stop) {
            compressedSize = u64(cd, q);
            q += 8;
          }
          if (localOffset === 0xffffffff && q + 8 <= stop) localOffset = u64(cd, q);
        }
        e += 4 + len;
      }
      p = end + commentLen;
      assertSafeMemberName(archive, name);
      if (madeBy >> 8 === 3 && ((external >>> 16) & 0o170000) === 0o120000) {
        throw failure(
          'archive-unsafe',
          `${archive}: member "${name}" is a symbolic link; refusing the archive`,
        );
      }
      if (name.endsWith('/')) continue;
      if (flags & 1) throw failure('unsupported-format', `${archive}: member "${name}" is encrypted`);
      if (method !== 0 && method !== 8)
        throw failure(
          'unsupported-format',
          `${archive}: member "${name}" uses compression method ${method} (stored or deflate only)`,
        );
      if (localOffset + 30 + compressedSize > fileSize)
        throw corrupt(archive, `member "${name}" extends past the end of the file`);
      if (method === 0 && compressedSize !== size)
        throw corrupt(archive, `stored member "${name}" has inconsistent sizes`);
      if (size > decompressionCap(compressedSize)) {
        throw tooLarge(
          archive,
          `member "${name}" declares ${size} bytes from ${compressedSize} compressed (ratio beyond ${LIMITS.maxCompressionRatio}:1)`,
        );
      }
      entries.push({ name, method, compressedSize, size, crc32, localOffset });
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** Offset of a member's data (after its local header, whose own lengths may differ from the central ones). */
async function dataOffset(file: string, entry: ZipEntry): Promise<number> {
  const handle = await fs.open(file, 'r');
  try {
    const h = await readAt(handle, entry.localOffset, 30);
    if (h.byteLength < 30 || h.getUint32(0, true) !== LOCAL)
      throw corrupt(path.basename(file), `bad local header of "${entry.name}"`);
    return entry.localOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  } finally {
    await handle.close();
  }
}

/**
 * The decompressed bytes of a member as a stream: output beyond the declared size is refused as it
 * is produced, short output and CRC mismatches are corruption.
 */
export async function* zipEntryChunks(file: string, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const archive = path.basename(file);
  const label = `${archive}:${entry.name}`;
  const start = await dataOffset(file, entry);
  const raw = fileChunks(file, start, start + entry.compressedSize);
  const chunks =
    entry.method === 0
      ? raw
      : inflateChunks(raw, zlib.createInflateRaw(), decompressionCap(entry.compressedSize), label);
  const crcOf = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;
  let crc = 0;
  let total = 0;
  for await (const c of chunks) {
    total += c.length;
    if (total > entry.size) throw corrupt(label, `decompresses beyond its declared ${entry.size} bytes`);
    if (crcOf) crc = crcOf(c, crc);
    yield c;
  }
  if (total < entry.size) throw corrupt(label, `truncated: ${total} of ${entry.size} bytes`);
  if (crcOf && crc >>> 0 !== entry.crc32 >>> 0) throw corrupt(label, 'CRC-32 mismatch (damaged archive)');
}
