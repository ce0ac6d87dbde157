import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NpyFormatError, npyTypedArray, parseNpyHeader, type NpyHeader } from '../../../shared/npy.js';
import { ByteReader } from './byte-reader.js';
import { LabFailure } from '../../../shared/result.js';
import { corrupt, failure, tooLarge } from './errors.js';
import { fileChunks, readHead } from './file-chunks.js';
import { LIMITS } from './limits.js';
import { zipEntryChunks, type ZipEntry } from './zip-reader.js';

/** A NumPy array in a `.npy` file or an `.npz` member: header parsed, data streamed on demand. */
export interface ArrayRef {
  /** File stem or member stem (`x_train`). */
  key: string;
  /** For messages: file name or `archive.npz:member.npy`. */
  label: string;
  /** Parsed header. */
  header: NpyHeader;
  /** The data bytes (after the header), in order. */
  chunks(): AsyncGenerator<Uint8Array>;
}

/** Values of a whole array as numbers. */
export type NumericArray = ReturnType<typeof npyTypedArray>;

/**
 * A plain Uint8Array view of bytes that may be a Node Buffer: npyTypedArray copies with `slice`,
 * which on a Buffer is a view into its (possibly pooled) memory.
 */
export function plainBytes(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b;
}

/** Typed values of raw little-endian element bytes. */
export function typedValues(
  header: Pick<NpyHeader, 'dtype' | 'bigEndian'>,
  size: number,
  bytes: Uint8Array,
): NumericArray {
  return npyTypedArray({ dtype: header.dtype, bigEndian: header.bigEndian, size }, plainBytes(bytes));
}

const NUMERIC_DESCR = /'descr'\s*:\s*'[<>|=]?[iufb]\d+'/;

/** parseNpyHeader with its errors turned into typed failures. */
export function parseHeaderOrFail(bytes: Uint8Array, label: string): NpyHeader {
  let header: NpyHeader;
  try {
    header = parseNpyHeader(bytes, LIMITS.maxElements);
  } catch (e) {
    if (e instanceof NpyFormatError) {
      if (e.message.includes('exceeds the limit')) throw tooLarge(label, e.message);
      if (e.message.includes('unsupported .npy dtype'))
        throw failure('unsupported-format', `${label}: ${e.message}`);
      const text = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
      const descr = /'descr'\s*:\s*('[^']*'|\[)/.exec(text)?.[1];
      if (descr && !NUMERIC_DESCR.test(text)) {
        throw failure(
          'unsupported-format',
          `${label}: unsupported .npy dtype ${descr === '[' ? '(structured)' : descr} (numeric arrays only)`,
        );
      }
      throw corrupt(label, e.message);
    }
    throw e;
  }
  if (header.fortranOrder && header.shape.length > 1) {
    throw failure(
      'unsupported-format',
      `${label}: Fortran-order array; save it with np.ascontiguousarray(a) first`,
    );
  }
  return header;
}

function checkDataBytes(label: string, header: NpyHeader, available: number): void {
  const need = header.dataOffset + header.size * header.itemSize;
  if (available < need) throw corrupt(label, `truncated: ${available} bytes, the header declares ${need}`);
  if (available > need) throw corrupt(label, `${available - need} unexpected bytes after the data`);
}

/** An array stored as a `.npy` file. */
export async function npyFileRef(file: string): Promise<ArrayRef> {
  const label = path.basename(file);
  const header = parseHeaderOrFail(await readHead(file, 65536), label);
  checkDataBytes(label, header, (await fs.stat(file)).size);
  return {
    key: label.replace(/\.npy$/i, ''),
    label,
    header,
    chunks: () => fileChunks(file, header.dataOffset),
  };
}

/** An array stored as a member of an `.npz` archive (stored or deflated). */
export async function npzMemberRef(file: string, entry: ZipEntry): Promise<ArrayRef> {
  const label = `${path.basename(file)}:${entry.name}`;
  const reader = ByteReader.from(zipEntryChunks(file, entry));
  let header: NpyHeader;
  try {
    const head = await reader.readExact(12);
    const major = head[6] ?? 0;
    const len =
      major === 1
        ? (head[8] ?? 0) | ((head[9] ?? 0) << 8)
        : ((head[8] ?? 0) | ((head[9] ?? 0) << 8) | ((head[10] ?? 0) << 16)) >>> 0;
    const rest = await reader.readExact(Math.min(len, 1 << 20));
    const bytes = new Uint8Array(head.length + rest.length);
    bytes.set(head, 0);
    bytes.set(rest, head.length);
    header = parseHeaderOrFail(bytes, label);
  } finally {
    await reader.close();
  }
  checkDataBytes(label, header, entry.size);
  const h = header;
  return {
    key: path.basename(entry.name).replace(/\.npy$/i, ''),
    label,
    header,
    async *chunks() {
      const r = ByteReader.from(zipEntryChunks(file, entry));
      try {
        await r.skip(h.dataOffset);
        for (let c = await r.readSome(1 << 20); c; c = await r.readSome(1 << 20)) yield c;
      } finally {
        await r.close();
      }
    },
  };
}

/** Reads a whole (small) array, e.g. labels, refusing more than {@link LIMITS.maxWholeReadBytes}. */
export async function readArray(ref: ArrayRef): Promise<NumericArray> {
  const bytes = ref.header.size * ref.header.itemSize;
  if (bytes > LIMITS.maxWholeReadBytes)
    throw tooLarge(ref.label, `${bytes} bytes is too large for a label array`);
  const out = new Uint8Array(bytes);
  let at = 0;
  for await (const c of ref.chunks()) {
    const k = Math.min(c.length, bytes - at);
    out.set(c.subarray(0, k), at);
    at += k;
  }
  if (at < bytes) throw corrupt(ref.label, 'truncated data');
  return typedValues(ref.header, ref.header.size, out);
}

/** Resolves to the ref, or to undefined (noted in `skipped`) for arrays of a dtype the lab cannot read (strings…). */
export async function skipUnsupported(
  ref: Promise<ArrayRef>,
  skipped: string[],
): Promise<ArrayRef | undefined> {
  try {
    return await ref;
  } catch (e) {
    if (e instanceof LabFailure && e.code === 'unsupported-format' && e.message.includes('dtype')) {
      skipped.push(`skipped ${e.message}`);
      return undefined;
    }
    throw e;
  }
}
