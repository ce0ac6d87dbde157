import path from 'node:path';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { assertSafeMemberName } from './archive-paths.js';
import { asLabFailure, corrupt, failure, tooLarge } from './errors.js';
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
  /** Offset of the local header (identifies the member). */
  localOffset: number;
}

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  // Names are checked here (archive-paths), with the lab's messages and error codes.
  decodeStrings: false,
  validateEntrySizes: true,
};

/** yauzl's names as bytes: UTF-8 when flagged so (bit 11), else code page 437, which NumPy never writes. */
function memberName(e: yauzl.Entry): string {
  const raw = e.fileNameRaw;
  return (e.generalPurposeBitFlag & 0x800) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
}

async function withZip<T>(file: string, fn: (zip: yauzl.ZipFile) => Promise<T>): Promise<T> {
  const archive = path.basename(file);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, OPTIONS);
  } catch (e) {
    throw corrupt(archive, `not a readable zip archive (${(e as Error).message})`);
  }
  try {
    return await fn(zip);
  } catch (e) {
    throw asLabFailure(e, archive);
  } finally {
    zip.close();
  }
}

/**
 * Reads the central directory with yauzl (zip64 included, as NumPy's `savez` writes). Encrypted
 * members, methods other than stored/deflate, unsafe names and symlinks are refused; declared
 * sizes are checked against the decompression caps before anything is inflated.
 */
export function readZipDirectory(file: string): Promise<ZipEntry[]> {
  const archive = path.basename(file);
  return withZip(file, async (zip) => {
    if (zip.entryCount > LIMITS.maxArchiveEntries) throw tooLarge(archive, `${zip.entryCount} members`);
    const entries: ZipEntry[] = [];
    for await (const e of zip.eachEntry()) {
      const name = memberName(e);
      assertSafeMemberName(archive, name);
      const unix = e.versionMadeBy >> 8 === 3;
      if (unix && ((e.externalFileAttributes >>> 16) & 0o170000) === 0o120000)
        throw failure(
          'archive-unsafe',
          `${archive}: member "${name}" is a symbolic link; refusing the archive`,
        );
      if (name.endsWith('/')) continue;
      if (e.isEncrypted()) throw failure('unsupported-format', `${archive}: member "${name}" is encrypted`);
      if (e.compressionMethod !== 0 && e.compressionMethod !== 8)
        throw failure(
          'unsupported-format',
          `${archive}: member "${name}" uses compression method ${e.compressionMethod} (stored or deflate only)`,
        );
      if (e.uncompressedSize > decompressionCap(e.compressedSize))
        throw tooLarge(
          archive,
          `member "${name}" declares ${e.uncompressedSize} bytes from ${e.compressedSize} compressed (ratio beyond ${LIMITS.maxCompressionRatio}:1)`,
        );
      entries.push({
        name,
        method: e.compressionMethod,
        compressedSize: e.compressedSize,
        size: e.uncompressedSize,
        crc32: e.crc32,
        localOffset: e.relativeOffsetOfLocalHeader,
      });
    }
    return entries;
  });
}

/**
 * The decompressed bytes of a member as a stream (yauzl inflates, refusing output beyond the
 * declared size as it is produced, and short output); the CRC-32, which yauzl leaves to its
 * callers, is checked at the end.
 */
export async function* zipEntryChunks(file: string, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const label = `${path.basename(file)}:${entry.name}`;
  const zip = await yauzl.openPromise(file, OPTIONS).catch((e: unknown) => {
    throw corrupt(label, `cannot open the archive (${(e as Error).message})`);
  });
  try {
    let found: yauzl.Entry | undefined;
    for await (const e of zip.eachEntry()) {
      if (e.relativeOffsetOfLocalHeader === entry.localOffset) {
        found = e;
        break;
      }
    }
    if (!found) throw corrupt(label, 'member vanished from the archive');
    const crcOf = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;
    let crc = 0;
    const stream = await zip.openReadStreamPromise(found);
    try {
      for await (const c of stream as AsyncIterable<Buffer>) {
        if (crcOf) crc = crcOf(c, crc);
        yield c;
      }
    } catch (e) {
      const m = (e as Error).message;
      if (m.startsWith('too many bytes'))
        throw corrupt(label, `decompresses beyond its declared ${entry.size} bytes`);
      if (m.startsWith('not enough bytes'))
        throw corrupt(label, `truncated: ${m.replace(/^.*got only /, '')} of ${entry.size} bytes`);
      throw asLabFailure(e, `${label}: cannot decompress`);
    } finally {
      stream.destroy();
    }
    if (crcOf && crc >>> 0 !== entry.crc32 >>> 0) throw corrupt(label, 'CRC-32 mismatch (damaged archive)');
  } finally {
    zip.close();
  }
}
