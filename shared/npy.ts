/**
 * NumPy `.npy` headers (format 1.0–3.0), pure: the engine and the host read and write the data
 * with their own I/O. Only little-endian (or byte-order-free) C-order numeric arrays are produced;
 * big-endian and Fortran-order inputs are reported so callers can convert or refuse.
 */

/** Numeric dtypes the lab reads. */
export type NpyDtype =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'bool';

/** A parsed header. */
export interface NpyHeader {
  /** Element type. */
  dtype: NpyDtype;
  /** True when the data are big-endian (callers must swap bytes). */
  bigEndian: boolean;
  /** True for column-major data. */
  fortranOrder: boolean;
  /** Array shape (empty for a scalar). */
  shape: number[];
  /** Byte offset of the data from the start of the file. */
  dataOffset: number;
  /** Bytes per element. */
  itemSize: number;
  /** Number of elements (product of the shape). */
  size: number;
}

const DESCR: Record<string, [NpyDtype, number]> = {
  u1: ['uint8', 1],
  i1: ['int8', 1],
  b1: ['bool', 1],
  u2: ['uint16', 2],
  i2: ['int16', 2],
  u4: ['uint32', 4],
  i4: ['int32', 4],
  u8: ['uint64', 8],
  i8: ['int64', 8],
  f2: ['float16', 2],
  f4: ['float32', 4],
  f8: ['float64', 8],
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Thrown for anything that is not a well-formed `.npy` header. */
export class NpyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyFormatError';
  }
}

function decodeAscii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * Parses the header at the start of `bytes` (the first 64 KiB of a file is always enough for
 * headers the lab accepts). `maxElements` refuses absurd shapes before anyone allocates.
 */
export function parseNpyHeader(bytes: Uint8Array, maxElements = 2 ** 31): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new NpyFormatError('not a .npy file (bad magic string)');
  }
  const major = bytes[6] ?? 0;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = (bytes[8] ?? 0) | ((bytes[9] ?? 0) << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('truncated .npy header');
    headerLen =
      ((bytes[8] ?? 0) | ((bytes[9] ?? 0) << 8) | ((bytes[10] ?? 0) << 16) | ((bytes[11] ?? 0) << 24)) >>> 0;
    start = 12;
  } else {
    throw new NpyFormatError(`unsupported .npy version ${major}`);
  }
  if (headerLen > 1 << 20) throw new NpyFormatError(`implausible .npy header length ${headerLen}`);
  if (bytes.length < start + headerLen) throw new NpyFormatError('truncated .npy header');
  const text = decodeAscii(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([<>|=])([a-z]\d+)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shapeM) throw new NpyFormatError(`malformed .npy header: ${text.slice(0, 120)}`);
  const kind = DESCR[descr[2] ?? ''];
  if (!kind) throw new NpyFormatError(`unsupported .npy dtype '${descr[1] ?? ''}${descr[2] ?? ''}'`);
  const shape = (shapeM[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new NpyFormatError(`malformed .npy shape '${shapeM[1] ?? ''}'`);
      return Number.parseInt(s, 10);
    });
  let size = 1;
  for (const d of shape) {
    size *= d;
    if (size > maxElements) {
      throw new NpyFormatError(
        `array of shape (${shape.join(', ')}) exceeds the limit of ${maxElements} elements`,
      );
    }
  }
  return {
    dtype: kind[0],
    bigEndian: descr[1] === '>' && kind[1] > 1,
    fortranOrder: fortran[1] === 'True',
    shape,
    dataOffset: start + headerLen,
    itemSize: kind[1],
    size,
  };
}

/** Encodes a version-1.0 header (little-endian, C order), padded to a multiple of 64 bytes. */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const code = Object.entries(DESCR).find(([, v]) => v[0] === dtype)?.[0];
  if (!code) throw new NpyFormatError(`cannot encode dtype ${dtype}`);
  const order = code.endsWith('1') ? '|' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = dict.length & 0xff;
  out[9] = (dict.length >> 8) & 0xff;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

/** Views or converts raw little-endian element bytes to a typed array of the dtype. */
export function npyTypedArray(
  header: Pick<NpyHeader, 'dtype' | 'bigEndian' | 'size'>,
  data: Uint8Array,
):
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array {
  const { dtype, size } = header;
  const bytes = DESCR_SIZE[dtype] * size;
  if (data.length < bytes) throw new NpyFormatError(`truncated .npy data: ${data.length} of ${bytes} bytes`);
  // Copy so the result is aligned and owns its memory whatever the source (a Node Buffer's own
  // slice() returns a view into a possibly pooled allocation, hence the Uint8Array method).
  const buf = Uint8Array.prototype.slice.call(data, 0, bytes);
  if (header.bigEndian) swapBytes(buf, DESCR_SIZE[dtype]);
  const ab = buf.buffer;
  switch (dtype) {
    case 'uint8':
    case 'bool':
      return new Uint8Array(ab, 0, size);
    case 'int8':
      return new Int8Array(ab, 0, size);
    case 'uint16':
      return new Uint16Array(ab, 0, size);
    case 'int16':
      return new Int16Array(ab, 0, size);
    case 'uint32':
      return new Uint32Array(ab, 0, size);
    case 'int32':
      return new Int32Array(ab, 0, size);
    case 'float32':
      return new Float32Array(ab, 0, size);
    case 'float64':
      return new Float64Array(ab, 0, size);
    case 'float16':
      return halfToFloat(new Uint16Array(ab, 0, size));
    case 'int64':
    case 'uint64':
      return int64ToFloat64(new BigInt64Array(ab, 0, size), dtype === 'uint64');
  }
}

const DESCR_SIZE: Record<NpyDtype, number> = Object.fromEntries(
  Object.values(DESCR).map(([d, s]) => [d, s]),
) as Record<NpyDtype, number>;

function swapBytes(buf: Uint8Array, width: number): void {
  for (let i = 0; i < buf.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = buf[a] ?? 0;
      buf[a] = buf[b] ?? 0;
      buf[b] = t;
    }
  }
}

function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i] ?? 0;
    const sign = x & 0x8000 ? -1 : 1;
    const exp = (x >> 10) & 0x1f;
    const frac = x & 0x3ff;
    out[i] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? Number.NaN
            : sign * Number.POSITIVE_INFINITY
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

function int64ToFloat64(v: BigInt64Array, unsigned: boolean): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? 0n;
    out[i] = Number(unsigned ? BigInt.asUintN(64, x) : x);
  }
  return out;
}
