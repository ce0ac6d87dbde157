import { promises as fs } from 'node:fs';
import {
  encodeNpyHeader,
  npyTypedArray,
  parseNpyHeader,
  type NpyDtype,
  type NpyHeader,
} from '../../shared/npy.js';
import { writeFileAtomic } from './atomic-file.js';

/** A numeric array read from a `.npy` file. */
export interface NpyArray {
  /** Parsed header. */
  header: NpyHeader;
  /** Elements in C order (int64 and float16 are widened to float64 / float32). */
  data: ReturnType<typeof npyTypedArray>;
}

/** Largest header the lab reads (NumPy's own headers are < 1 KiB). */
const HEADER_PROBE = 65536;

/** Reads only the header of a `.npy` file. */
export async function readNpyHeader(file: string, maxElements?: number): Promise<NpyHeader> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = new Uint8Array(HEADER_PROBE);
    const { bytesRead } = await handle.read(buf, 0, HEADER_PROBE, 0);
    const header = parseNpyHeader(buf.subarray(0, bytesRead), maxElements);
    const { size } = await handle.stat();
    const need = header.dataOffset + header.size * header.itemSize;
    if (size < need) throw new Error(`${file}: truncated .npy (${size} bytes, header says ${need})`);
    return header;
  } finally {
    await handle.close();
  }
}

/** Reads a whole `.npy` file (C order required). */
export async function readNpy(file: string, maxElements?: number): Promise<NpyArray> {
  const bytes = new Uint8Array(await fs.readFile(file));
  const header = parseNpyHeader(bytes, maxElements);
  if (header.fortranOrder)
    throw new Error(`${file}: Fortran-order arrays are not supported; save with order='C'`);
  return { header, data: npyTypedArray(header, bytes.subarray(header.dataOffset)) };
}

/** Typed arrays the lab writes, with their dtype. */
export type WritableArray = Uint8Array | Int32Array | Float32Array | Float64Array;

function dtypeOf(data: WritableArray): NpyDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Encodes an array as `.npy` bytes. */
export function encodeNpy(data: WritableArray, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length)
    throw new Error(`shape (${shape.join(', ')}) does not match ${data.length} elements`);
  const header = encodeNpyHeader(dtypeOf(data), shape);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Writes an array as a `.npy` file atomically. */
export async function writeNpy(file: string, data: WritableArray, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(file, encodeNpy(data, shape));
}
