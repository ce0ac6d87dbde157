import { corrupt, failure } from './errors.js';
import { checkedElements } from './limits.js';

/** A parsed IDX header (the format of MNIST, Fashion-MNIST, KMNIST and EMNIST). */
export interface IdxHeader {
  /** Dimensions, big-endian int32 in the file: [N] for labels, [N, H, W] (or [N, H, W, C]) for images. */
  dims: number[];
  /** Bytes before the first element. */
  dataOffset: number;
  /** Elements per item (product of dims after the first). */
  perItem: number;
  /** Total data bytes the header declares. */
  dataBytes: number;
}

const TYPE_NAMES: Record<number, string> = {
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Bytes needed to parse the header of an IDX file with `ndims` dimensions. */
export function idxHeaderLength(ndims: number): number {
  return 4 + 4 * ndims;
}

/** Checks the 4 magic bytes (two zeros, type 0x08, dimension count); returns the dimension count. */
export function checkIdxMagic(bytes: Uint8Array, file: string, expectDims: readonly number[]): number {
  if (bytes.length < 4) throw corrupt(file, 'truncated IDX header');
  if (bytes[0] !== 0 || bytes[1] !== 0) throw corrupt(file, 'not an IDX file (bad magic number)');
  const type = bytes[2] as number;
  const ndims = bytes[3] as number;
  if (type !== 0x08) {
    const name = TYPE_NAMES[type];
    if (name)
      throw failure(
        'unsupported-format',
        `${file}: IDX element type ${name} is not supported (unsigned bytes only)`,
      );
    throw corrupt(file, `not an IDX file (unknown type byte 0x${type.toString(16)})`);
  }
  if (!expectDims.includes(ndims))
    throw corrupt(file, `IDX file has ${ndims} dimensions, expected ${expectDims.join(' or ')}`);
  return ndims;
}

/**
 * Parses an IDX header: two zero bytes, a type byte (only 0x08 unsigned byte is used by the MNIST
 * family), the dimension count, then one big-endian uint32 per dimension.
 */
export function parseIdxHeader(bytes: Uint8Array, file: string, expectDims: readonly number[]): IdxHeader {
  const ndims = checkIdxMagic(bytes, file, expectDims);
  const length = idxHeaderLength(ndims);
  if (bytes.length < length) throw corrupt(file, 'truncated IDX header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const total = checkedElements(file, dims);
  const perItem = dims.slice(1).reduce((a, b) => a * b, 1);
  return { dims, dataOffset: length, perItem, dataBytes: total };
}
